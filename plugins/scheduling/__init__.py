"""Scheduled articles: a future Date waits for a build at or after it (preview: a draft with a banner)."""

from .scheduling import article_dates, next_due, register  # noqa: F401
