"""Localities and campaigns: taxonomies with their own pages, feeds and index pages."""

from .taxonomies import Campaign, Locality, register  # noqa: F401
