"""Incremental output: write only files whose bytes changed, remove stale ones at the end."""

from .incremental import DEFAULTS, claim, last_report, register, write_output

__all__ = ["DEFAULTS", "claim", "last_report", "register", "write_output"]
