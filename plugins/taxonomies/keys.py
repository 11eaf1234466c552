"""Keys that make all spellings of one locality or campaign one entry."""

import re
from collections import Counter

from vntext import collapse_spaces, name_key

UNIT_WORDS = (
    "thành phố", "thị xã", "thị trấn", "tỉnh", "huyện", "quận", "phường", "xã", "tp.", "tp", "tx.",
)  # fmt: skip
_UNIT_PREFIX = re.compile(r"^(?:" + "|".join(re.escape(w) for w in UNIT_WORDS) + r")\s*", re.IGNORECASE)
_PUNCTUATION = re.compile(r"[\s,;:\-–—\"“”'‘’.!?()]+")


def locality_key(name: str) -> str:
    """Return the key of a locality name: no unit word, any case, form or tone placement."""
    return _UNIT_PREFIX.sub("", name_key(name)).strip()


def campaign_key(name: str) -> str:
    """Return the key of a campaign name: punctuation (commas, dashes, quotes) ignored."""
    return collapse_spaces(_PUNCTUATION.sub(" ", name_key(name)))


def preferred_spelling(spellings: list[str]) -> str:
    """Return the most used spelling, ties broken alphabetically so builds are deterministic."""
    counts = Counter(spellings)
    return min(counts, key=lambda s: (-counts[s], s))
