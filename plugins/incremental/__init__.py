"""Incremental output: write only files whose bytes changed, remove stale ones at the end."""

from .incremental import DEFAULTS, register

__all__ = ["DEFAULTS", "register"]
