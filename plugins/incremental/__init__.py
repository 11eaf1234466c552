"""Incremental output: write only files whose bytes changed, remove stale ones at the end."""

from .incremental import DEFAULTS, claim, register, write_output

__all__ = ["DEFAULTS", "claim", "register", "write_output"]
