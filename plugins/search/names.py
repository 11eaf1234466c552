"""The places and campaigns a query can name: written beside the index for search.js.

A reader types a place as editors write it: with or without diacritics or the unit word
("dong ha", "TP Đông Hà", "thanh pho dong ha"). search.js folds the query as `key` does here,
drops a leading unit word, and looks the rest up: a hit offers the place's page and lists its
articles first (through the `locality` and `campaign` filters records.py adds).
"""

from __future__ import annotations

import json
import re
from functools import cache
from urllib.parse import quote

from thidua.gazetteer.resolve import UNIT_WORDS
from thidua.vntext import fold, nfc

FILE = "names.json"
_NOT_WORD = re.compile(r"\W+")


def key(text: str) -> str:
    """Return the lookup key of a name: folded, without spaces or punctuation ("Đông Hà" → "dongha")."""
    return _NOT_WORD.sub("", fold(text))


@cache
def unit_words() -> tuple[str, ...]:
    """Return the folded unit words and abbreviations search.js drops, longest first."""
    words = {fold(word).rstrip(".") for word, _ in UNIT_WORDS}
    return tuple(sorted(words, key=lambda w: (-len(w), w)))


@cache  # each place's name, met on each of its articles
def typed_key(text: str) -> str:
    """Return the key search.js (and nginx's units map) looks up for text typed as a query: a
    leading unit word dropped ("Thành phố Đông Hà" → "dongha")."""
    rest = " ".join(_NOT_WORD.sub(" ", fold(text)).split())
    unit = next((u for u in unit_words() if rest.startswith(u + " ")), "")
    return key(rest[len(unit) :] if unit else rest)


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
                # The full name only when dropping its unit word does not give the short name's key.
                for spelling in {short, term.name} if typed_key(term.name) != key(short) else {short}:
                    found.setdefault(key(spelling), {})[entry] = None
    return {
        "units": unit_words(),
        "names": {k: [list(e) for e in sorted(entries)] for k, entries in sorted(found.items()) if k},
    }


def names_json(articles) -> str:
    """Return names_index as compact, deterministic JSON."""
    return json.dumps(names_index(articles), ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# --- The no-JS search: nginx sends `/tim-kiem/?tim=<a name>` to the name's page -----------------
# nginx compares the raw query argument (never decoded): what a browser sends for a form field,
# space as "+", other characters as upper-case percent-encoded UTF-8. So each key becomes a
# case-insensitive regular expression that accepts every way of typing it: each letter with any
# of its Vietnamese diacritics (composed, or decomposed as combining marks), separators anywhere
# (spaces, dots, commas, dashes: the key has none). A first map drops one leading unit word, as
# search.js does (units_map).
MAP_FILE = "search-places.map"
UNITS_MAP_FILE = "search-units.map"
HEADER = "# Written by plugins/search/names.py for deploy/nginx/thidua.conf: do not edit.\n"
_VOWELS = "aăâeêioôơuưy"
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_SEPARATORS = "(?:[-+.,_]|%[0-7][0-9A-F]|%E2%80%9[34]|%C2%A0)*"
_COMBINING = "(?:%CC%[89AB][0-9A-F])*"
_HEX = "0123456789ABCDEF"
_LONGEST = 4000


def _spellings() -> dict[str, list[str]]:
    """Return each folded letter's Vietnamese spellings, lower and upper case ("d": d, đ, Đ)."""
    found: dict[str, set[str]] = {"d": {"đ", "Đ"}}
    for vowel in _VOWELS:
        for tone in _TONES:
            letter = nfc(vowel + tone)
            found.setdefault(fold(letter), set()).update({letter, letter.upper()})
    return {letter: sorted(spelled) for letter, spelled in found.items()}


_SPELLINGS = _spellings()


def _digits(found: str) -> str:
    """Return a character class of hex digits, runs as ranges: "0123" → "[0-3]"."""
    runs: list[list[int]] = []
    for at in sorted(_HEX.index(digit) for digit in found):
        if runs and at == runs[-1][1] + 1:
            runs[-1][1] = at
        else:
            runs.append([at, at])
    text = "".join(_HEX[a] if a == b else _HEX[a] + _HEX[b] if b == a + 1 else f"{_HEX[a]}-{_HEX[b]}" for a, b in runs)
    return text if len(found) == 1 else f"[{text}]"


@cache  # a few dozen distinct letters, met thousands of times in every build's map
def _letter(char: str) -> str:
    """Return the pattern of one character of a key, as it arrives percent-encoded."""
    if char.isascii() and char.isalnum() and char not in _SPELLINGS:
        return char
    by_prefix: dict[str, str] = {}
    for encoded in sorted({quote(s, safe="") for s in _SPELLINGS.get(char, [])} - {char, char.upper()}):
        by_prefix[encoded[:-1]] = by_prefix.get(encoded[:-1], "") + encoded[-1]
    forms = [prefix + _digits(last) for prefix, last in by_prefix.items()]
    plain = char if char.isascii() else quote(char, safe="")
    return "(?:" + "|".join([plain, *forms]) + ")" + _COMBINING


def _typed(words: list[str]) -> str:
    return _SEPARATORS.join("".join(_letter(char) for char in word) for word in words)


def query_pattern(spelling: str) -> str:
    """Return the regular expression (for nginx's `~*`) of every raw query argument naming spelling.

    nginx takes no parameter over 4 KB: a name that long is matched as typed without diacritics.
    """
    words = _NOT_WORD.split(fold(spelling).strip())
    pattern = f"^{_SEPARATORS}{_typed([w for w in words if w])}{_SEPARATORS}$"
    if len(pattern) < _LONGEST:
        return pattern
    return f"^{_SEPARATORS}{_SEPARATORS.join(w for w in words if w)}{_SEPARATORS}$"


def units_map() -> str:
    """Return the entries of nginx's `map $arg_tim $search_name`: the query without a leading unit word."""
    separator = _SEPARATORS[:-1] + "+"
    return HEADER + "".join(
        f'"~*^{_SEPARATORS}{_typed(_NOT_WORD.split(unit))}{separator}(?<tim_rest>.+)$" $tim_rest;\n'
        for unit in unit_words()
    )


def nginx_map(index: dict, offers_url: str) -> str:
    """Return the entries of nginx's `map $arg_tim $search_place` (deploy/nginx/thidua.conf).

    A key naming one page goes to it; a key naming several (Hà Tĩnh, the province and its city)
    to the page that offers them all (offers_url, "tim-kiem/noi/{key}/").
    """
    lines = [HEADER.rstrip("\n")]
    for name_key, entries in sorted(index["names"].items()):
        target = entries[0][3] if len(entries) == 1 else "/" + offers_url.format(key=name_key)
        spelling = next(s for e in entries for s in (e[2], e[1]) if key(s) == name_key)
        lines.append(f'"~*{query_pattern(spelling)}" "{target}";')
    return "\n".join(lines) + "\n"
