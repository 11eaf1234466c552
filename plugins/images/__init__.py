"""Responsive, metadata-free images, Open Graph images and image checks."""

from .images import register  # noqa: F401
