"""The editor's desk: a small web application that writes the same Markdown files editors write by hand.

`create_app(project_root)` returns the Starlette application (app.py); `invoke desk` serves it,
`make serve` starts it beside the preview. Accounts, sessions, autosaves, reviews and the audit
log live in `.desk/desk.sqlite3`; articles stay files under content/, each save a git commit.
"""

from .app import create_app

__all__ = ["create_app"]
