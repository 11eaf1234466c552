"""Find the administrative units named in a running text (for the importer)."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from thidua.vntext import name_key, nfc

from .model import Unit
from .resolve import KIND_LEVELS, UNIT_WORDS, closest_in_context

if TYPE_CHECKING:
    from .store import Gazetteer

_WORD = re.compile(r"\w+\.?")
MAX_NAME_WORDS = 6
MAX_PROVINCE_WORDS = 5
# Province names that running text mostly uses for something else ("tư tưởng Hồ Chí Minh"):
# they count only after their unit word ("Thành phố Hồ Chí Minh", "TP. Hồ Chí Minh").
NOT_BARE = frozenset({"hồ chí minh"})


def _unit_word_at(keys: list[str], i: int) -> tuple[str, int] | None:
    """Return (kind, number of words) when a unit word starts at word i."""
    for word, kind in UNIT_WORDS:
        parts = word.split()
        if keys[i : i + len(parts)] == parts:
            return kind, len(parts)
    return None


def _capitalised(token: str) -> bool:
    """Return whether a word starts with a capital letter or a digit."""
    return token[:1].isupper() or token[:1].isdigit()


def find_mentions(gaz: Gazetteer, text: str, on_date: date) -> list[Unit]:
    """Return the units named in text, in order of first mention, preferring precision.

    A district or commune counts only after its unit word ("huyện Tuần Giáo", "TP. Huế");
    a province also by its bare name (except NOT_BARE). Names must be capitalised. A name matching several
    units is narrowed by the date, then by the other units found; if still ambiguous it is
    skipped.
    """
    text = nfc(text)
    tokens = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]
    keys = [name_key(t[0]) for t in tokens]
    found: list[tuple[int, list[Unit]]] = []
    i = 0
    while i < len(tokens):
        match = _match_at(gaz, text, tokens, keys, i)
        if match is None:
            i += 1
            continue
        units, consumed = match
        valid = [u for u in units if u.valid_on(on_date)] or units
        found.append((tokens[i][1], valid))
        i += consumed
    sure = [us[0] for _, us in found if len(us) == 1]
    out: dict[str, Unit] = {}
    for _, units in found:
        if len(units) > 1:
            near = closest_in_context(gaz, units, sure)
            provinces = [u for u in units if u.level == 1]
            units = near if len(near) == 1 else provinces if len(provinces) == 1 else []
        if len(units) == 1:
            out.setdefault(units[0].id, units[0])
    return list(out.values())


def _span_key(text: str, tokens, i: int, n: int) -> str:
    """Return the name_key of n words from word i, punctuation between them included."""
    return name_key(text[tokens[i][1] : tokens[i + n - 1][2]].rstrip("."))


def _match_at(gaz: Gazetteer, text: str, tokens, keys, i: int) -> tuple[list[Unit], int] | None:
    """Return the units named at word i and the number of words used, or None."""
    word = _unit_word_at(keys, i)
    if word is not None:
        kind, used = word
        start = i + used
        if start < len(tokens) and _capitalised(tokens[start][0]):
            for n in range(min(MAX_NAME_WORDS, len(tokens) - start), 0, -1):
                key = _span_key(text, tokens, start, n)
                units = [
                    u
                    for u in gaz.by_short.get(key, ())
                    if u.kind == kind or (u.level in KIND_LEVELS[kind] and kind == "Thành phố")
                ]
                units += [u for u in gaz.by_full.get(f"{name_key(kind)} {key}", ()) if u not in units]
                if units:
                    return units, used + n
    if not _capitalised(tokens[i][0]):
        return None
    for n in range(min(MAX_PROVINCE_WORDS, len(tokens) - i), 0, -1):
        if not all(_capitalised(t[0]) or t[0] == "-" for t in tokens[i : i + n]):
            continue
        key = _span_key(text, tokens, i, n)
        if key in NOT_BARE:
            continue
        units = [u for u in gaz.by_short.get(key, ()) if u.level == 1]
        units += [u for u in gaz.by_full.get(key, ()) if u.level in (0, 1) and u not in units]
        if units:
            return units, n
    return None
