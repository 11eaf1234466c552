"""Visitor statistics counted from the web server's access logs, published as /thong-ke.json."""

from .visitor_stats import *  # noqa: F401,F403
