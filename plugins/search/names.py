"""The places and campaigns a query can name: written beside the index for search.js.

A reader types a place as editors write it: with or without diacritics or the unit word
("dong ha", "TP Đông Hà", "thanh pho dong ha"). search.js folds the query as `key` does here,
drops a leading unit word, and looks the rest up: a hit offers the place's page and lists its
articles first (through the `locality` and `campaign` filters records.py adds).
"""

from __future__ import annotations

import json
import re

from gazetteer.resolve import UNIT_WORDS
from vntext import fold, nfc

FILE = "names.json"
_NOT_WORD = re.compile(r"\W+")


def key(text: str) -> str:
    """Return the lookup key of a name: folded, without spaces or punctuation ("Đông Hà" → "dongha")."""
    return _NOT_WORD.sub("", fold(text))


def unit_words() -> list[str]:
    """Return the folded unit words and abbreviations search.js drops, longest first."""
    words = {fold(word).rstrip(".") for word, _ in UNIT_WORDS}
    return sorted(words, key=lambda w: (-len(w), w))


def names_index(articles) -> dict:
    """Return {"units": [...], "names": {key: [[kind, filter value, label, url], ...]}} for articles.

    kind is "locality" or "campaign"; filter value is the name the articles' filter holds. One key
    may name several places (Châu Thành): all are offered.
    """
    found: dict[str, dict[tuple, None]] = {}
    for article in articles:
        for kind, terms in (("locality", "localities"), ("campaign", "campaigns")):
            for term in getattr(article, terms, None) or []:
                short = getattr(term, "short_name", term.name)
                entry = (kind, term.name, nfc(short), "/" + term.url)
                for spelling in {short, term.name}:
                    found.setdefault(key(spelling), {})[entry] = None
    return {
        "units": unit_words(),
        "names": {k: [list(e) for e in sorted(entries)] for k, entries in sorted(found.items()) if k},
    }


def names_json(articles) -> str:
    """Return names_index as compact, deterministic JSON."""
    return json.dumps(names_index(articles), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
