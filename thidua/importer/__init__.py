"""Import articles from the old provincial portals' saved pages (pure logic + CLI, not a Pelican plugin)."""

from .cli import run_import
from .page import AUTO, ImportRefused, ImportResult, import_page

__all__ = ["AUTO", "ImportRefused", "ImportResult", "import_page", "run_import"]
