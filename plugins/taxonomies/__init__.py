"""Localities and campaigns: taxonomies with their own pages, feeds and index pages."""

from .localities import Locality
from .taxonomies import Campaign, register

__all__ = ["Campaign", "Locality", "register"]
