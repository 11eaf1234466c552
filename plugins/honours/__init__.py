from .honours import register  # noqa: F401
