"""Load the gazetteer data files into an indexed, cached Gazetteer."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tomllib
from collections import defaultdict
from datetime import date
from functools import lru_cache
from pathlib import Path

from thidua.vntext import fold, name_key, slugify

from . import mentions, resolve
from .model import NEW_ERA_START, OLD_ERA_END, Resolution, Unit

DATA_FILE = "gazetteer.jsonl"
PLACES_FILE = "places.toml"
CACHE_VERSION = "1"


def _day(value: str | None) -> date | None:
    """Parse an ISO date or return None."""
    return date.fromisoformat(value) if value else None


def read_units(path: Path) -> dict[str, Unit]:
    """Read data/gazetteer.jsonl into units by id, with predecessors filled in."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    preds: dict[str, list[str]] = defaultdict(list)
    for r in records:
        for s in r.get("successors", ()):
            preds[s].append(r["id"])
    return {
        r["id"]: Unit(
            id=r["id"],
            code=r["code"],
            name=r["name"],
            short_name=r["short_name"],
            kind=r["kind"],
            level=r["level"],
            parent=r.get("parent"),
            valid_from=_day(r.get("valid_from")),
            valid_to=_day(r.get("valid_to")),
            successors=tuple(r.get("successors", ())),
            predecessors=tuple(preds.get(r["id"], ())),
            region=r.get("region"),
            slug=r["slug"],
        )
        for r in records
    }


class Gazetteer:
    """All units and places, indexed by id, code and name keys, with hierarchy helpers."""

    def __init__(self, units: dict[str, Unit]):
        self.units = units
        self.by_code: dict[str, list[Unit]] = defaultdict(list)
        self.by_short: dict[str, list[Unit]] = defaultdict(list)
        self.by_full: dict[str, list[Unit]] = defaultdict(list)
        self.children_ids: dict[str, list[str]] = defaultdict(list)
        for u in units.values():
            self._index(u, u.short_name, u.name)
        self._context_cache: dict[str, frozenset[str]] = {}
        self.place_names: dict[str, list[str]] = {}
        self.memo: dict = {}  # candidates by parsed query (resolve.py)

    def _index(self, u: Unit, short: str, full: str) -> None:
        """Add one unit to the name, code and children indexes."""
        self.by_code[u.code].append(u)
        self.by_short[name_key(short)].append(u)
        self.by_full[name_key(full)].append(u)
        if u.parent:
            self.children_ids[u.parent].append(u.id)

    def add_places(self, places: dict[str, dict]) -> None:
        """Add the places declared in data/places.toml (level 0), resolving their members."""
        slugs = {u.slug for u in self.units.values()}
        for key in sorted(places):
            entry = places[key]
            if slugify(key) != key or key in self.units or key in slugs:
                raise ValueError(
                    f"data/places.toml: [{key}] must be a new lower-case ASCII slug "
                    "(letters, digits, '-') not used by any unit"
                )
            when = entry.get("members_date", OLD_ERA_END)
            found = self.resolve(list(entry.get("members", [])), when)
            if found.problems:
                p = found.problems[0]
                raise ValueError(f"data/places.toml: [{key}] members: {p.message}; {p.fix}")
            unit = Unit(
                id=key,
                code=key,
                name=entry["name"],
                short_name=entry["name"],
                kind=entry.get("kind", ""),
                level=0,
                parent=None,
                valid_from=entry.get("valid_from"),
                valid_to=entry.get("valid_to"),
                successors=(),
                predecessors=(),
                region=entry.get("region"),
                slug=key,
                members=tuple(u.id for u in found.units),
            )
            self.units[key] = unit
            self.place_names[key] = [entry["name"], *entry.get("aliases", [])]
            for name in self.place_names[key]:
                self._index(unit, name, name)

    @property
    def by_fold(self) -> dict[str, list[Unit]]:
        """Return units by folded short and full name (built on first use, for suggestions)."""
        index = self.__dict__.get("_by_fold")
        if index is None:
            index = defaultdict(list)
            for u in self.units.values():
                names = {u.short_name, u.name} if not u.is_place else set(self.place_names[u.id])
                for key in sorted({fold(n) for n in names}):
                    index[key].append(u)
            self.__dict__["_by_fold"] = index
        return index

    def __getstate__(self) -> dict:
        """Pickle the indexes, not the per-run memo."""
        state = dict(self.__dict__)
        state["memo"] = {}
        return state

    def get(self, unit_id: str) -> Unit:
        """Return the unit with this id (KeyError if none)."""
        return self.units[unit_id]

    def ancestors(self, unit: Unit) -> list[Unit]:
        """Return the parent, grandparent, … of a unit, nearest first."""
        out = []
        while unit.parent:
            unit = self.units[unit.parent]
            out.append(unit)
        return out

    def ancestors_on(self, unit: Unit, day: date) -> list[Unit]:
        """Return the ancestors as they were named on a day, following continuations.

        Before 2025 the districts of Thừa Thiên Huế (parented to the Thành phố Huế of early
        2025 in the data) roll up to Tỉnh Thừa Thiên Huế.
        """
        out = []
        for ancestor in self.ancestors(unit):
            chain, seen = [ancestor], {ancestor.id}
            for current in chain:
                for nxt in self.continuations(current):
                    if nxt.id not in seen:
                        seen.add(nxt.id)
                        chain.append(nxt)
            out.append(next((a for a in chain if a.valid_on(day)), ancestor))
        return out

    def children(self, unit: Unit) -> list[Unit]:
        """Return the units directly inside this one (members for a declared place)."""
        ids = unit.members if unit.is_place else self.children_ids.get(unit.id, ())
        return [self.units[i] for i in ids]

    def descendants_codes(self, unit: Unit) -> frozenset[str]:
        """Return the ids of every unit inside this one (members and theirs for a place)."""
        out: set[str] = set()
        stack = [c.id for c in self.children(unit)]
        while stack:
            uid = stack.pop()
            if uid not in out:
                out.add(uid)
                stack.extend(self.children_ids.get(uid, ()))
        return frozenset(out)

    def successors(self, unit: Unit) -> list[Unit]:
        """Return the units that took over this one at its end (across eras)."""
        return [self.units[i] for i in unit.successors]

    def predecessors(self, unit: Unit) -> list[Unit]:
        """Return the units this one took over when it began."""
        return [self.units[i] for i in unit.predecessors]

    def provinces(self, era: str | date = "new") -> list[Unit]:
        """Return the provinces of an era ("old": until 2025-06-30, "new", or a date)."""
        if era == "old":
            keep = lambda u: u.valid_to is not None  # noqa: E731
        elif era == "new":
            keep = lambda u: u.valid_to is None  # noqa: E731
        elif isinstance(era, date):
            keep = lambda u: u.valid_on(era)  # noqa: E731
        else:
            raise ValueError(f'gazetteer: era must be "old", "new" or a date, not {era!r}')
        units = [u for u in self.units.values() if u.level == 1 and keep(u)]
        return sorted(units, key=lambda u: (fold(u.short_name), u.valid_from or date.min))

    def province_of(self, unit: Unit) -> Unit | None:
        """Return the province holding a unit (itself for a province, None for a place)."""
        if unit.level == 1:
            return unit
        chain = self.ancestors(unit)
        return chain[-1] if chain else None

    def region_of(self, unit: Unit) -> str | None:
        """Return the region of a unit's province (or the region declared for a place)."""
        if unit.is_place:
            return unit.region
        province = self.province_of(unit)
        return province.region if province else None

    def continuations(self, unit: Unit) -> list[Unit]:
        """Return the same unit in the next and previous period: same code, nothing merged.

        Thừa Thiên Huế → Thành phố Huế (2025-01-01) → Thành phố Huế (2025-07-01) and Nghệ An →
        Nghệ An are continuations; Long An (80) → Tây Ninh (80), a merger, is not.
        """
        nxt = [s for s in self.successors(unit) if s.code == unit.code and len(s.predecessors) == 1]
        prev = self.predecessors(unit) if len(unit.predecessors) == 1 else []
        return nxt + [p for p in prev if p.code == unit.code]

    def context_ids(self, unit: Unit) -> frozenset[str]:
        """Return ids of the unit's ancestors and of their continuations in other periods."""
        cached = self._context_cache.get(unit.id)
        if cached is not None:
            return cached
        out: set[str] = set()
        for a in self.ancestors(unit):
            stack = [a]
            while stack:
                cur = stack.pop()
                if cur.id in out:
                    continue
                out.add(cur.id)
                stack.extend(self.continuations(cur))
        result = frozenset(out)
        self._context_cache[unit.id] = result
        return result

    def related(self, a: Unit, b: Unit) -> bool:
        """Return whether one unit lies inside the other (in any period of the outer one)."""
        if a.level == 0 or b.level == 0:
            return a.id in b.members or b.id in a.members
        if a.level == b.level:
            return False
        inner, outer = (a, b) if a.level > b.level else (b, a)
        return outer.id in self.context_ids(inner)

    def resolve(self, names: list[str], on_date: date, home: tuple[Unit, ...] = ()) -> Resolution:
        """Resolve the localities of one article (see resolve.resolve_names; home: home_provinces)."""
        return resolve.resolve_names(self, names, on_date, home)

    def home_provinces(self, entries) -> tuple[Unit, ...]:
        """Return the provinces of a portal's home area (see resolve.home_provinces)."""
        return resolve.home_provinces(self, entries)

    def find_mentions(self, text: str, on_date: date | None = None) -> list[Unit]:
        """Return the units named in a text, in order of first mention (see mentions)."""
        return mentions.find_mentions(self, text, on_date or NEW_ERA_START)


def _fingerprint(data_dir: Path) -> str:
    """Return a hash of the data files and of this package's code."""
    files = [data_dir / DATA_FILE, data_dir / PLACES_FILE]
    files += sorted(Path(__file__).parent.glob("*.py"))
    stamps = []
    for path in files:
        try:
            found = path.stat()
        except OSError:
            continue
        stamps.append((str(path), found.st_size, found.st_mtime_ns))
    return _hash_files(tuple(stamps))


@lru_cache(maxsize=8)
def _hash_files(stamps: tuple) -> str:
    """Hash the files, read again only when one's size or mtime changed (two plugins load it per build)."""
    h = hashlib.sha256(CACHE_VERSION.encode())
    for name, _size, _mtime in stamps:
        path = Path(name)
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def build_gazetteer(data_dir: Path) -> Gazetteer:
    """Build a Gazetteer from the data files, without any cache."""
    gaz = Gazetteer(read_units(data_dir / DATA_FILE))
    places_path = data_dir / PLACES_FILE
    if places_path.exists():
        gaz.add_places(tomllib.loads(places_path.read_text(encoding="utf-8")))
    return gaz


@lru_cache(maxsize=4)
def _load(data_dir: Path, fingerprint: str, cache_dir: Path | None) -> Gazetteer:
    """Load a Gazetteer, through the pickle cache when a cache folder is given."""
    if cache_dir is None:
        return build_gazetteer(data_dir)
    cache_file = cache_dir / f"gazetteer-{fingerprint}.pickle"
    if cache_file.exists():
        try:
            with cache_file.open("rb") as fh:
                return pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass
    gaz = build_gazetteer(data_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    for old in cache_dir.glob("gazetteer-*.pickle"):
        old.unlink(missing_ok=True)
    tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")  # parallel test workers build at once
    with tmp.open("wb") as fh:
        pickle.dump(gaz, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(cache_file)
    return gaz


def load_gazetteer(data_dir: str | Path, cache_dir: str | Path | None = None) -> Gazetteer:
    """Return the Gazetteer of a data folder, cached in memory and, if given, in cache_dir."""
    data_dir = Path(data_dir).resolve()
    cache = Path(cache_dir).resolve() if cache_dir is not None else None
    return _load(data_dir, _fingerprint(data_dir), cache)
