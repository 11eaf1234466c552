"""Incremental output: write only files whose bytes changed, remove stale ones at the end."""

from .calls import replay_page_records
from .incremental import (
    DEFAULTS,
    claim,
    last_report,
    register,
    share_page_records,
    wait_for_article_pages,
    write_output,
)

__all__ = [
    "DEFAULTS",
    "claim",
    "last_report",
    "register",
    "replay_page_records",
    "share_page_records",
    "wait_for_article_pages",
    "write_output",
]
