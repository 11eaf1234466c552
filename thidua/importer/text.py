"""Small text helpers: NFC, comparison keys and slugs, through vntext when it is available."""

import re
import unicodedata

try:  # the shared helpers; a fallback keeps the importer usable on its own
    from thidua.vntext import fold as _fold
    from thidua.vntext import slugify as _slugify
except ImportError:  # pragma: no cover - vntext ships with the project
    from unidecode import unidecode

    def _fold(text: str) -> str:
        decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        return " ".join(stripped.casefold().split())

    def _slugify(text: str) -> str:
        ascii_text = unidecode(nfc(text).replace("đ", "d").replace("Đ", "D")).lower()
        return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


__all__ = ["nfc", "key_of", "slugify", "squash"]

SLUG_MAX = 100


def nfc(text: str) -> str:
    """Return text in Unicode NFC."""
    return unicodedata.normalize("NFC", text)


def squash(text: str) -> str:
    """Return NFC text with runs of whitespace (including no-break spaces) made one space."""
    return " ".join(nfc(text).replace("\u00a0", " ").split())


def key_of(text: str) -> str:
    """Return a comparison key: no diacritics, lower case, single spaces."""
    return _fold(nfc(text))


def slugify(text: str, limit: int = SLUG_MAX) -> str:
    """Return an ASCII slug (đ→d), cut at a word boundary to at most `limit` characters."""
    slug = _slugify(text)
    if len(slug) <= limit:
        return slug
    cut = slug[: limit + 1].rsplit("-", 1)[0]
    return cut or slug[:limit]
