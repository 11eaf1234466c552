"""Vietnamese text helpers shared by every plugin: normalisation, folding, slugs, dates."""

import functools
import re
import unicodedata
from datetime import date, datetime

from babel.dates import format_date
from unidecode import unidecode

__all__ = [
    "nfc",
    "fold",
    "name_key",
    "canonical_tones",
    "slugify",
    "format_date_vi",
    "format_datetime_iso",
]

_SPACES = re.compile(r"\s+")
_NON_SLUG = re.compile(r"[^a-z0-9]+")

# "Hòa"/"Hoà", "Thủy"/"Thuỷ": both tone placements are in daily use (official names mostly
# use the first), so comparison keys move the mark of a final "oa", "oe", "uy" to the second
# vowel. Only keys use this; display names stay as the official source spells them.
_OLD_STYLE = re.compile(r"(?<![qg])([oOuU])([\u0300\u0301\u0303\u0309\u0323])([aAeEyY])(?![a-zA-Z\u0300-\u036f])")


def nfc(text: str) -> str:
    """Return text in Unicode NFC, the form every output uses."""
    return unicodedata.normalize("NFC", text)


def canonical_tones(text: str) -> str:
    """Put the tone mark of a final "oa", "oe", "uy" on the second vowel (NFC out)."""
    decomposed = unicodedata.normalize("NFD", text)
    moved = _OLD_STYLE.sub(lambda m: m.group(1) + m.group(3) + m.group(2), decomposed)
    return unicodedata.normalize("NFC", moved)


def collapse_spaces(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends."""
    return _SPACES.sub(" ", text).strip()


# Names, titles and campaigns recur on thousands of articles of a large site: each spelling is
# folded, keyed and slugified once.
@functools.lru_cache(maxsize=1 << 16)
def name_key(text: str) -> str:
    """Return a comparison key that keeps diacritics but ignores case, form and tone placement."""
    return collapse_spaces(canonical_tones(text).casefold())


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Return text without any diacritics (đ→d), lower case, single spaces."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return collapse_spaces(stripped.casefold())


@functools.lru_cache(maxsize=1 << 16)
def slugify(text: str) -> str:
    """Return an ASCII slug: "Thành phố Đông Hà" → "thanh-pho-dong-ha"."""
    ascii_text = unidecode(nfc(text).replace("đ", "d").replace("Đ", "D")).lower()
    return _NON_SLUG.sub("-", ascii_text).strip("-")


def format_date_vi(value: date | datetime, pattern: str = "EEEE, dd/MM/yyyy") -> str:
    """Format a date the Vietnamese way with Babel ("Thứ Hai, 11/01/2021"), never the OS locale."""
    day = value.date() if isinstance(value, datetime) else value
    return _format_day(day, pattern)


@functools.lru_cache(maxsize=8192)
def _format_day(day: date, pattern: str) -> str:
    """Babel costs about a millisecond a call; a site has few distinct days, so remember them."""
    return format_date(day, pattern, locale="vi")


def format_datetime_iso(value: datetime) -> str:
    """Return ISO 8601 with the UTC offset, seconds precision."""
    return value.isoformat(timespec="seconds")
