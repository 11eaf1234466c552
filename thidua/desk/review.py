"""Review and publishing: the desk's statuses, comments, the audit log and the strict publish.

The contract knows only `Status: draft | hidden | published`. "In review" is the desk's own
state, kept in SQLite beside the comments, while the file stays a draft: the public site and
`make publish` never depend on the desk's database. "Scheduled" is a published article whose
Date is still ahead (the scheduling plugin holds it back until then).
"""

import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from plugins.content_checks.header import parse_source

STATES = ("draft", "in_review", "scheduled", "published", "hidden")
SCHEMA = """
CREATE TABLE IF NOT EXISTS reviews (
    path TEXT PRIMARY KEY, state TEXT NOT NULL, name TEXT NOT NULL, at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS comments (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL, name TEXT NOT NULL, text TEXT NOT NULL, at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY, at REAL NOT NULL, name TEXT NOT NULL, action TEXT NOT NULL,
    path TEXT NOT NULL, detail TEXT NOT NULL
);
"""
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?$")


def status_of(file_status: str, date: str, in_review: bool, now: datetime) -> str:
    """Return the desk's status of an article from its file's Status and Date and its review."""
    if file_status == "hidden":
        return "hidden"
    if in_review:  # a draft, or a correction of a published article waiting in proposals
        return "in_review"
    if file_status == "draft":
        return "draft"
    return "scheduled" if date > now.strftime("%Y-%m-%d %H:%M") else "published"


def with_field(text: str, key: str, value: str) -> str:
    """Return the article with one header field set (replaced where it is, else added last).

    Only that line changes, so a hand-written file keeps every other byte.
    """
    source = parse_source(text)
    lines = text.split("\n")
    for field in source.fields:
        if field.key.casefold() == key.casefold():
            last = max(line for line, _ in field.parts) if field.parts else field.line
            lines[field.line - 1 : last] = [f"{key}: {value}"]
            return "\n".join(lines)
    header_end = max((max(n for n, _ in f.parts) for f in source.fields if f.parts), default=0)
    lines.insert(header_end, f"{key}: {value}")
    return "\n".join(lines)


def valid_schedule(value: str, now: datetime) -> bool:
    """Return whether a publication time is well formed (YYYY-MM-DD HH:MM) and ahead of now."""
    return bool(_DATE.match(value)) and len(value) == 16 and value > now.strftime("%Y-%m-%d %H:%M")


def in_review(db) -> set[str]:
    """Return the paths waiting for review."""
    with db.connect() as conn:
        return {row["path"] for row in conn.execute("SELECT path FROM reviews WHERE state = 'in_review'")}


def set_review(db, path: str, state: str | None, name: str, at: float) -> None:
    """Mark an article as waiting for review, or (state None) take it out of review."""
    with db.connect() as conn:
        if state is None:
            conn.execute("DELETE FROM reviews WHERE path = ?", (path,))
        else:
            conn.execute(
                "INSERT INTO reviews VALUES (?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET state=?, name=?, at=?",
                (path, state, name, at, state, name, at),
            )


def add_comment(db, path: str, name: str, text: str, at: float) -> None:
    """Keep a reviewer's comment on an article."""
    with db.connect() as conn:
        conn.execute("INSERT INTO comments (path, name, text, at) VALUES (?, ?, ?, ?)", (path, name, text, at))


def comments(db, path: str) -> list[dict]:
    """Return an article's comments, oldest first."""
    with db.connect() as conn:
        rows = conn.execute("SELECT name, text, at FROM comments WHERE path = ? ORDER BY id", (path,)).fetchall()
    return [dict(row) for row in rows]


def record(db, name: str, action: str, path: str, detail: str, at: float) -> None:
    """Add a line to the audit log (who published, scheduled or took down what, and when)."""
    with db.connect() as conn:
        conn.execute(
            "INSERT INTO audit (at, name, action, path, detail) VALUES (?, ?, ?, ?, ?)",
            (at, name, action, path, detail),
        )


def audit_log(db, limit: int = 200) -> list[dict]:
    """Return the latest audit lines, newest first."""
    with db.connect() as conn:
        rows = conn.execute("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    return [dict(row) for row in rows]


def run_publish(root: Path) -> tuple[bool, str]:
    """Run the project's strict `make publish` (its invoke task); return (succeeded, what it printed).

    A child process rather than a thread of the desk: the build's plugins keep module-level
    state, and `make serve` runs preview builds in this very process, so a publish in a thread
    could mix the two. The task's messages are the Vietnamese ones editors already know.
    """
    done = subprocess.run(
        [sys.executable, "-m", "invoke", "--search-root", str(root), "publish"],
        cwd=root,
        capture_output=True,
        encoding="utf-8",  # whatever the server's locale: the messages are Vietnamese
        errors="replace",
        env={**os.environ, "PYTHONUTF8": "1"},
    )
    return done.returncode == 0, (done.stdout + done.stderr).strip()
