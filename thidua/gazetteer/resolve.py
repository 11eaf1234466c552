"""Resolve the place names editors write in ``Localities`` to gazetteer units."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from thidua.vntext import fold, name_key, nfc

from .model import Resolution, ResolutionProblem, Unit

if TYPE_CHECKING:
    from .store import Gazetteer

# Unit words and their abbreviations (matched on name_key, i.e. lower case), longest first.
UNIT_WORDS: list[tuple[str, str]] = [
    ("thành phố", "Thành phố"),
    ("thị trấn", "Thị trấn"),
    ("thị xã", "Thị xã"),
    ("đặc khu", "Đặc khu"),
    ("phường", "Phường"),
    ("huyện", "Huyện"),
    ("quận", "Quận"),
    ("tỉnh", "Tỉnh"),
    ("xã", "Xã"),
    ("t.p.", "Thành phố"),
    ("t.p", "Thành phố"),
    ("tp.", "Thành phố"),
    ("tp", "Thành phố"),
    ("tx.", "Thị xã"),
    ("tx", "Thị xã"),
    ("tt.", "Thị trấn"),
    ("tt", "Thị trấn"),
    ("h.", "Huyện"),
    ("q.", "Quận"),
    ("p.", "Phường"),
]
KIND_LEVELS = {
    "Tỉnh": {1},
    "Thành phố": {1, 2},
    "Huyện": {2},
    "Quận": {2},
    "Thị xã": {2},
    "Phường": {3},
    "Xã": {3},
    "Thị trấn": {3},
    "Đặc khu": {3},
}
_PREFIX = re.compile("^(" + "|".join(re.escape(w) for w, _ in UNIT_WORDS) + r")(?:\s+|(?<=\.))(?=\S)")
_KIND_OF = dict(UNIT_WORDS)
_CODE = re.compile(r"^(.*?)\s*\(\s*(\d{2,5})\s*\)$")
MAX_LISTED = 6
CLOSE_CUTOFF = 0.75


@dataclass(frozen=True)
class Query:
    """One locality as written, split into its parts."""

    raw: str
    rest: str  # name_key of the name without unit word and code
    full: str  # name_key of the name without code (unit word spelled out)
    kind: str | None
    code: str | None

    @property
    def is_bare(self) -> bool:
        """Return whether the name has neither unit word nor code."""
        return self.kind is None and self.code is None


@lru_cache(maxsize=65536)
def parse(raw: str) -> Query:
    """Split a written locality into unit word, name and official code."""
    text = nfc(raw).strip()
    key = name_key(text)
    code = None
    m = _CODE.match(key)
    if m:
        key, code = m.group(1).strip(), m.group(2)
    kind = None
    rest = key
    m = _PREFIX.match(key)
    if m:
        kind = _KIND_OF[m.group(1)]
        rest = key[m.end() :].strip()
    full = f"{name_key(kind)} {rest}" if kind else key
    return Query(raw=text, rest=rest, full=full, kind=kind, code=code)


def candidates(gaz: Gazetteer, q: Query) -> list[Unit]:
    """Return every unit the written name could mean, ignoring date and context.

    Names must match exactly up to case, Unicode form and tone placement; a name without its
    diacritics is not accepted (it could be another place) but gets suggestions.
    """
    found: dict[str, Unit] = {}

    def add(units) -> None:
        for u in units:
            found.setdefault(u.id, u)

    add(gaz.by_full.get(q.full, ()))
    add(gaz.by_short.get(q.full, ()))  # "Phường Đúc" is a ward's short name, not "Phường" + "Đúc"
    if q.kind:
        same_name = gaz.by_short.get(q.rest, ())
        add(u for u in same_name if u.kind == q.kind)
        # Units change type (huyện → thị xã, thị trấn → xã): the same level is a candidate too;
        # the unit word only decides when context and date leave several (see resolve_names).
        add(u for u in same_name if u.level in KIND_LEVELS[q.kind])
    else:
        add(gaz.by_short.get(q.rest, ()))
    return list(found.values())


def describe(gaz: Gazetteer, u: Unit, on_date: date) -> str:
    """Return "Huyện Tuần Giáo (mã 099, Điện Biên)" with the period when not valid on the date."""
    parts = [f"mã {u.code}"]
    province = gaz.province_of(u)
    if province is not None and province is not u:
        parts.append(province.short_name)
    if u.valid_to is not None and on_date > u.valid_to:
        parts.append(f"đến {u.valid_to:%d/%m/%Y}")
    elif u.valid_from is not None and on_date < u.valid_from:
        parts.append(f"từ {u.valid_from:%d/%m/%Y}")
    return f"{u.name} ({', '.join(parts)})"


def listing(gaz: Gazetteer, units: list[Unit], on_date: date) -> str:
    """Return the candidates as one comma-separated phrase, at most MAX_LISTED of them."""
    ordered = sorted(units, key=order)
    text = ", ".join(describe(gaz, u, on_date) for u in ordered[:MAX_LISTED])
    if len(ordered) > MAX_LISTED:
        text += f" và {len(ordered) - MAX_LISTED} nơi khác"
    return text


def order(u: Unit) -> tuple:
    """Sort candidates: current before former, higher level first, then by code."""
    return (u.valid_to is not None, u.level, u.code, u.valid_from or date.min)


def example(u: Unit) -> str:
    """Return how to write a unit unambiguously: "Đông Hòa (564)"."""
    return f"{u.short_name} ({u.code})"


def closest(gaz: Gazetteer, q: Query, on_date: date) -> list[Unit]:
    """Return the units whose folded names are closest to the written one."""
    target = fold(q.rest)
    keys = difflib.get_close_matches(target, list(gaz.by_fold), n=4, cutoff=CLOSE_CUTOFF)
    units: dict[str, Unit] = {}
    for k in keys:
        matching = gaz.by_fold[k]
        valid = [u for u in matching if u.valid_on(on_date)] or matching
        for u in sorted(valid, key=order)[:3]:
            units.setdefault(u.id, u)
    return list(units.values())


def ambiguous_problem(gaz: Gazetteer, index: int, q: Query, units, on_date) -> ResolutionProblem:
    """Return the problem of a name that still matches several units."""
    first = sorted(units, key=order)[0]
    return ResolutionProblem(
        index,
        f'Địa phương "{q.raw}" chưa rõ: có thể là {listing(gaz, units, on_date)}',
        f'thêm tỉnh vào Localities hoặc ghi mã trong ngoặc, ví dụ "{example(first)}"',
    )


def unknown_problem(gaz: Gazetteer, index: int, q: Query, on_date: date) -> ResolutionProblem:
    """Return the problem of a name that matches no unit."""
    near = closest(gaz, q, on_date)
    message = f'Địa phương "{q.raw}" không có trong danh mục'
    if near:
        message += f"; gần giống: {listing(gaz, near, on_date)}"
    return ResolutionProblem(
        index,
        message,
        "sửa theo tên chính thức, hoặc khai báo địa danh trong data/places.toml",
    )


def code_problem(gaz: Gazetteer, index: int, q: Query, units, on_date) -> ResolutionProblem:
    """Return the problem of a code that does not belong to the written name."""
    first = sorted(units, key=order)[0]
    return ResolutionProblem(
        index,
        f'Địa phương "{q.raw}" chưa rõ: mã {q.code} không khớp với tên; có thể là {listing(gaz, units, on_date)}',
        f'sửa mã trong ngoặc, ví dụ "{example(first)}", hoặc bỏ mã',
    )


def pick_bare(gaz: Gazetteer, units: list[Unit], context: list[Unit]) -> Unit | None:
    """Pick, for a bare name, the one province or the one highest unit confirmed by context.

    The highest unit is confirmed when every other candidate lies inside it, or when
    ``context`` (the article's other resolved localities) holds a unit inside or around it.
    """
    provinces = [u for u in units if u.level == 1]
    if len(provinces) == 1:
        return provinces[0]
    top_level = min(u.level for u in units)
    tops = [u for u in units if u.level == top_level]
    if len(tops) != 1:
        return None
    top = tops[0]
    if all(u is top or gaz.related(u, top) for u in units):
        return top
    if any(gaz.related(top, c) for c in context):
        return top
    return None


def in_period(units: list[Unit], on_date: date) -> list[Unit]:
    """Keep the units valid on the date, plus a former province if none of those is one."""
    valid = [u for u in units if u.valid_on(on_date)]
    if not valid:
        return units
    if not any(u.level == 1 for u in valid):
        valid += [u for u in units if u.level == 1 and u.valid_to and u.valid_to < on_date]
    return valid


def closest_in_context(gaz: Gazetteer, units: list[Unit], context: list[Unit]) -> list[Unit]:
    """Keep the units related to the deepest context unit any of them is related to."""
    depth: dict[str, int] = {}
    for u in units:
        levels = [c.level for c in context if gaz.related(u, c)]
        if levels:
            depth[u.id] = max(levels)
    if not depth:
        return []
    best = max(depth.values())
    return [u for u in units if depth.get(u.id) == best]


def home_provinces(gaz: Gazetteer, entries) -> tuple[Unit, ...]:
    """Return the provinces a portal's home area names (by name or code, in every period).

    A province made by the 2025 mergers brings the provinces it was made of: a Quảng Trị portal
    writes about places of the former Quảng Bình too. Raises ValueError for an entry that names
    no province, so a wrong setting stops the build with the fix instead of being ignored.
    """
    found: dict[str, Unit] = {}
    for entry in entries:
        text = str(entry).strip()
        units = gaz.by_code.get(text, ()) if text.isdigit() else candidates(gaz, parse(text))
        provinces = [u for u in units if u.level == 1]
        if not provinces:
            raise ValueError(
                f'LOCALITIES_HOME_AREA: "{text}" không phải tên hay mã của một tỉnh, thành phố trực thuộc '
                'trung ương; ghi tên tỉnh (ví dụ "Quảng Trị") hoặc mã tỉnh (ví dụ "44")'
            )
        for province in provinces:
            found.setdefault(province.id, province)
            for former in gaz.predecessors(province):
                if former.level == 1:
                    found.setdefault(former.id, former)
    return tuple(sorted(found.values(), key=order))


def inside_home(gaz: Gazetteer, units: list[Unit], home: tuple[Unit, ...]) -> list[Unit]:
    """Keep the units that are, or lie inside, a province of the home area."""
    return [u for u in units if any(u.id == h.id or gaz.related(u, h) for h in home)]


def narrow_by_context(gaz: Gazetteer, pending: dict, resolved: dict[int, Unit]) -> None:
    """Narrow each open name to the candidates inside or around the article's other places.

    A candidate is kept if it lies inside or around another locality (or one of its
    candidates while that is open). Once all the others are resolved, the candidates
    related to the deepest of them win ("Phường 1; Đông Hà; Quảng Trị").
    """
    for i, (_, units) in pending.items():
        if len(units) == 1:
            resolved[i] = units[0]
    changed = len(resolved) < len(pending)
    while changed:
        changed = False
        for i, (q, units) in pending.items():
            if i in resolved:
                continue
            sure = [u for j, u in resolved.items() if j != i]
            maybe = [u for j, (_, us) in pending.items() if j != i and j not in resolved for u in us]
            near = [u for u in units if any(gaz.related(u, c) for c in sure + maybe)]
            if len(near) > 1 and not maybe:
                near = closest_in_context(gaz, near, sure)
            if near and len(near) < len(units):
                pending[i] = (q, near)
                units = near
                changed = True
            if len(units) == 1:
                resolved[i] = units[0]
                changed = True


def narrow_to_home(gaz: Gazetteer, pending: dict, resolved: dict[int, Unit], home: tuple[Unit, ...]) -> bool:
    """Narrow the first open name whose candidates the home area reduces; return whether one was."""
    for i, (q, units) in pending.items():
        if i in resolved:
            continue
        near = inside_home(gaz, units, home)
        if near and len(near) < len(units):
            pending[i] = (q, near)
            if len(near) == 1:
                resolved[i] = near[0]
            return True
    return False


def resolve_names(gaz: Gazetteer, names: list[str], on_date: date, home: tuple[Unit, ...] = ()) -> Resolution:
    """Resolve an article's localities: unit words, spelling, code, date and mutual context.

    A name is narrowed, in order, by its unit word, its code in parentheses, the units that
    existed on ``on_date`` (kept only if some did), a bare name that is one province's name
    goes to that province, then the other localities of the article
    (units inside or around them). A bare name left with several candidates resolves to the
    one province among them, or to the one highest unit if it holds all the others or the
    article's other localities confirm it (see pick_bare); a name with a unit word resolves to
    the one candidate of that very word (units of the same level but another word, e.g. a
    huyện that became a thị xã, are candidates too). Only then, for a name still open, the
    portal's home area (``home``, see home_provinces) keeps the candidates inside it, and the
    same steps run again; a name still open after that is a problem listing the candidates.
    The article's own places come first: "Đông Hà; Bình Thuận" means the commune there even on
    a Quảng Trị portal.
    """
    result = Resolution()
    pending: dict[int, tuple[Query, list[Unit]]] = {}
    for i, raw in enumerate(names):
        q = parse(raw)
        if not q.rest and not q.code:
            result.problems.append(
                ResolutionProblem(i, f"Địa phương thứ {i + 1} để trống", 'xóa dấu ";" thừa trong Localities')
            )
            continue
        units = gaz.memo.get(q)
        if units is None:
            units = gaz.memo[q] = candidates(gaz, q) if q.rest else []
        if q.code:
            with_code = [u for u in units if u.code == q.code]
            if not with_code and not q.rest:
                with_code = list(gaz.by_code.get(q.code, ()))
            if not with_code:
                if units:
                    result.problems.append(code_problem(gaz, i, q, units, on_date))
                else:
                    result.problems.append(unknown_problem(gaz, i, q, on_date))
                continue
            units = with_code
        if not units:
            result.problems.append(unknown_problem(gaz, i, q, on_date))
            continue
        units = in_period(units, on_date)
        provinces = [u for u in units if u.level == 1]
        if q.is_bare and len(provinces) == 1:
            # A bare province name means the province, whatever else the article names
            # ("Thanh Hóa; Quảng Bình" is not Xã Thanh Hóa in Quảng Bình).
            units = provinces
        pending[i] = (q, units)

    resolved: dict[int, Unit] = {}
    while True:
        narrow_by_context(gaz, pending, resolved)
        open_names = [i for i in pending if i not in resolved]
        picked = False
        for i in open_names:
            q, units = pending[i]
            if q.is_bare:
                choice = pick_bare(gaz, units, list(resolved.values()))
            else:
                same_word = [u for u in units if u.kind == q.kind]
                choice = same_word[0] if q.kind and len(same_word) == 1 else None
            if choice is not None:
                resolved[i] = choice
                picked = True
                break
        if not picked and home:
            picked = narrow_to_home(gaz, pending, resolved, home)
        if not picked:
            break
    for i, (q, units) in pending.items():
        if i not in resolved:
            result.problems.append(ambiguous_problem(gaz, i, q, units, on_date))
    result.by_index = dict(sorted(resolved.items()))
    result.units = list(result.by_index.values())
    result.problems.sort(key=lambda p: p.index)
    return result
