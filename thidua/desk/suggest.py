"""Suggestions while an editor types: gazetteer units for Localities, used campaigns and tags.

Pure functions over a loaded Gazetteer and the content folder; editing.py serves them as JSON.
"""

import bisect
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from plugins.content_checks.header import parse_source
from plugins.taxonomies.keys import campaign_key, preferred_spelling
from thidua.gazetteer import Gazetteer, Unit
from thidua.gazetteer.resolve import candidates, order, parse
from thidua.vntext import fold, name_key, nfc

LIMIT = 10


@dataclass(frozen=True)
class Suggestion:
    """One unit an editor may mean: the value written into Localities and what the list shows."""

    value: str  # the contract's spelling that names this unit alone: "Thành phố Đông Hà", "Phường Đông Hà (19333)"
    name: str  # the official name
    province: str  # the province's short name ("" for a province or a declared place)
    code: str
    period: str  # "đến 30/06/2025" for a unit that no longer existed on the article's date, else ""


def unambiguous_name(gazetteer: Gazetteer, unit: Unit) -> str:
    """Return the shortest spelling that names this unit and no other, whatever the date and context.

    The official name first ("Thành phố Đông Hà"); when several units share it (wards of one name
    before and after 2025, communes in two provinces), the name with the official code in
    parentheses, which the resolver reads as that very unit ("Phường Đông Hà (19333)").
    """
    if unit.is_place:
        return unit.name
    for spelling in (unit.name, f"{unit.name} ({unit.code})"):
        query = parse(spelling)
        found = [u for u in candidates(gazetteer, query) if not query.code or u.code == query.code]
        if [u.id for u in found] == [unit.id] or (query.code and {u.code for u in found} == {unit.code}):
            return spelling
    return f"{unit.name} ({unit.code})"


def suggest_localities(gazetteer: Gazetteer, typed: str, on_date: date, limit: int = LIMIT) -> list[Suggestion]:
    """Return the units whose names start with what was typed (diacritics, case and Unicode form ignored).

    Typed with diacritics ("Đông Hà"), names spelled that way come first; typed without
    ("dong ha"), every spelling that folds to it. A unit word ("TP Đông Hà", "Phường …") keeps
    the units of that word first. Units of the article's date before former ones.
    """
    query = parse(nfc(typed))
    if not query.rest:
        return []
    prefix = fold(query.rest)
    keys = _sorted_keys(gazetteer)
    start = bisect.bisect_left(keys, prefix)
    found: dict[str, Unit] = {}
    for key in keys[start:]:
        if not key.startswith(prefix) or len(found) > 200:
            break
        for unit in gazetteer.by_fold[key]:
            found.setdefault(unit.id, unit)
    typed_key = query.rest
    accented = typed_key != fold(typed_key)

    def rank(unit: Unit) -> tuple:
        names = {name_key(unit.short_name), name_key(unit.name)}
        return (
            fold(unit.short_name) != prefix and fold(unit.name) != prefix,  # the whole name typed
            accented and not any(n.startswith(typed_key) or n.split(" ", 1)[-1].startswith(typed_key) for n in names),
            bool(query.kind) and unit.kind != query.kind,
            not unit.valid_on(on_date),
            *order(unit),
        )

    units = sorted(found.values(), key=rank)[:limit]
    return [describe(gazetteer, unit, on_date) for unit in units]


def describe(gazetteer: Gazetteer, unit: Unit, on_date: date) -> Suggestion:
    """Return a unit as a suggestion."""
    province = gazetteer.province_of(unit)
    period = ""
    if unit.valid_to and on_date > unit.valid_to:
        period = f"đến {unit.valid_to:%d/%m/%Y}"
    elif unit.valid_from and on_date < unit.valid_from:
        period = f"từ {unit.valid_from:%d/%m/%Y}"
    return Suggestion(
        value=unambiguous_name(gazetteer, unit),
        name=unit.name,
        province=province.short_name if province is not None and province is not unit else "",
        code="" if unit.is_place else unit.code,
        period=period,
    )


def _sorted_keys(gazetteer: Gazetteer) -> list[str]:
    """Return the gazetteer's folded names, sorted for prefix search (kept on the gazetteer)."""
    keys = gazetteer.__dict__.get("_desk_sorted_keys")
    if keys is None:
        keys = gazetteer.__dict__["_desk_sorted_keys"] = sorted(gazetteer.by_fold)
    return keys


@dataclass(frozen=True)
class UsedTerms:
    """The campaigns and tags of the content folder, most used first."""

    campaigns: tuple[str, ...]
    tags: tuple[str, ...]


def used_terms(content_dir: Path) -> UsedTerms:
    """Read every article's Campaigns and Tags (headers only), one spelling per campaign or tag."""
    campaigns: dict[str, list[str]] = {}
    tags: dict[str, list[str]] = {}
    for path in sorted(content_dir.rglob("*.md")):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        header = text.split("\n\n", 1)[0]  # the header only: 10,000 bodies need not be parsed
        for field in parse_source(nfc(header)).fields:
            key = field.key.lower()
            if key == "campaigns":
                for name in field.value.replace("\n", ";").split(";"):
                    if name.strip():
                        campaigns.setdefault(campaign_key(name), []).append(" ".join(name.split()))
            elif key == "tags":
                for name in field.value.replace("\n", ",").split(","):
                    if name.strip():
                        tags.setdefault(name_key(name), []).append(" ".join(name.split()))
    return UsedTerms(_by_use(campaigns), _by_use(tags))


def _by_use(groups: dict[str, list[str]]) -> tuple[str, ...]:
    """Return each group's preferred spelling, the most used groups first."""
    counted = Counter({preferred_spelling(spellings): len(spellings) for spellings in groups.values()})
    return tuple(name for name, _ in sorted(counted.items(), key=lambda item: (-item[1], fold(item[0]))))


def match_terms(terms: tuple[str, ...], typed: str, limit: int = LIMIT) -> list[str]:
    """Return the terms containing what was typed (diacritics ignored), those starting with it first."""
    wanted = fold(nfc(typed))
    if not wanted:
        return list(terms[:limit])
    hits = [term for term in terms if wanted in fold(term)]
    return sorted(hits, key=lambda term: not fold(term).startswith(wanted))[:limit]


TERMS_TTL = 10.0  # seconds: a campaign saved a moment ago is offered without a scan per keystroke


@cache
def _terms_cache() -> dict:
    return {}


def cached_terms(content_dir: Path) -> UsedTerms:
    """Return used_terms of a folder, read again at most every TERMS_TTL seconds."""
    store = _terms_cache()
    now = time.monotonic()  # an interval, not the build's clock
    hit = store.get(content_dir)
    if hit is None or now - hit[0] > TERMS_TTL:
        hit = store[content_dir] = (now, used_terms(content_dir))
    return hit[1]
