"""Visitor statistics counted from the web server's access logs, published as /thong-ke.json."""

from .cli import run_stats
from .snapshot import latest_snapshot

__all__ = ["run_stats", "latest_snapshot", "register"]


def register():
    """Connect the plugin (Pelican is imported only here, so `invoke stats` starts fast)."""
    from .visitor_stats import register as connect

    connect()
