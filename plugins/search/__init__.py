from .search import register  # noqa: F401
