"""RSS 2.0 and Atom 1.0 feeds for the site, each category, locality and campaign."""

from .build import FeedImage, FeedItem, FeedSpec, build_feed, item_id
from .feeds import DEFAULTS, register

__all__ = ["DEFAULTS", "FeedImage", "FeedItem", "FeedSpec", "build_feed", "item_id", "register"]
