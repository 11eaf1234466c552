from .gc_freeze import register  # noqa: F401
