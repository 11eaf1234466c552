"""Keys that make all spellings of one campaign one entry."""

import re
from collections import Counter
from functools import cache

from thidua.vntext import collapse_spaces, name_key

_PUNCTUATION = re.compile(r"[\s,;:\-–—\"“”'‘’.!?()]+")


@cache  # a site names a few dozen campaigns, each on thousands of articles
def campaign_key(name: str) -> str:
    """Return the key of a campaign name: punctuation (commas, dashes, quotes) ignored."""
    return collapse_spaces(_PUNCTUATION.sub(" ", name_key(name)))


def preferred_spelling(spellings: list[str]) -> str:
    """Return the most used spelling, ties broken alphabetically so builds are deterministic."""
    counts = Counter(spellings)
    return min(counts, key=lambda s: (-counts[s], s))
