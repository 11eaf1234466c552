"""Strict content checks: the contract's metadata, one line per problem with file, line and fix."""

from .content_checks import register  # noqa: F401
