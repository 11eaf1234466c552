"""Honourees from the `Honourees` metadata: parsing, anchors and grouping (pure functions)."""

from collections import defaultdict
from dataclasses import dataclass, field

from thidua.vntext import collapse_spaces, fold, slugify


@dataclass
class Honouree:
    """One honoured person, collective or count ("10 cá nhân") with the title received."""

    name: str
    title: str
    locality_text: str
    line: int
    year: int
    article: object = None
    locality: object = None  # a Locality with a page, when the place has one
    unit: object = None  # the gazetteer unit
    anchor: str = ""
    province: object = None  # the province Locality (for the per-province filter)
    extra: dict = field(default_factory=dict)


def parse_honouree_line(text: str) -> tuple[str, str, str] | None:
    """Split `Name | Title | Locality`; None when the line does not have exactly three parts."""
    parts = [collapse_spaces(part) for part in text.split("|")]
    if len(parts) != 3 or not all(parts):
        return None
    return parts[0], parts[1], parts[2]


def assign_anchors(honourees: list[Honouree]) -> None:
    """Give every honouree a stable id: name-title-year, numbered only on an exact clash."""
    used: dict[str, int] = defaultdict(int)
    for honouree in sorted(honourees, key=sort_key):
        parts = (slugify(honouree.name)[:40], slugify(honouree.title)[:40], str(honouree.year))
        base = "-".join(part.strip("-") for part in parts if part.strip("-"))
        used[base] += 1
        honouree.anchor = base if used[base] == 1 else f"{base}-{used[base]}"


def sort_key(honouree: Honouree) -> tuple:
    """Newest year first, then title and name in Vietnamese-insensitive order, then source."""
    return (
        -honouree.year,
        fold(honouree.title),
        fold(honouree.name),
        getattr(honouree.article, "slug", ""),
        honouree.line,
    )


def group_by(honourees: list[Honouree], key) -> list[tuple[object, list[Honouree]]]:
    """Group honourees (already sorted) by a key, keeping the order of first appearance."""
    groups: dict[object, list[Honouree]] = {}
    for honouree in honourees:
        groups.setdefault(key(honouree), []).append(honouree)
    return list(groups.items())
