"""Localities backed by the gazetteer: official units, roll-up to parents, old↔new links."""

import tomllib
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from pelican.urlwrappers import URLWrapper

from plugins.content_checks.problems import Problem, report
from plugins.content_checks.reader import display_path
from thidua.gazetteer import Gazetteer, Unit, load_gazetteer
from thidua.vntext import fold

DEFAULTS = {
    "LOCALITIES_DATA_PATH": "data",
    "LOCALITIES_CACHE_PATH": "cache/gazetteer",
    # The portal's own provinces (names or codes): an ambiguous name is looked for there first.
    "LOCALITIES_HOME_AREA": (),
}
# Articles without a valid date are drafts already reported; today's units are the best guess.
FALLBACK_DAY = date(2025, 7, 1)


class Locality(URLWrapper):
    """An administrative unit or declared place; URLs from LOCALITY_URL and LOCALITY_SAVE_AS."""

    def __init__(self, unit: Unit, settings):
        super().__init__(unit.name, settings)
        self.unit = unit
        self.slug = unit.slug
        self.parents: list[Locality] = []
        self.children: list[Locality] = []
        self.successors: list[tuple[Unit, Locality | None]] = []
        self.predecessors: list[tuple[Unit, Locality | None]] = []
        self.ended_on: date | None = None
        self.started_on: date | None = None

    @property
    def short_name(self) -> str:
        return self.unit.short_name


def load_settings_gazetteer(settings) -> Gazetteer:
    """Load (through the cache) the gazetteer the settings point to."""
    data = Path(settings.get("LOCALITIES_DATA_PATH", DEFAULTS["LOCALITIES_DATA_PATH"]))
    cache = settings.get("LOCALITIES_CACHE_PATH", DEFAULTS["LOCALITIES_CACHE_PATH"])
    return load_gazetteer(data, cache)


def home_area(settings, gazetteer: Gazetteer) -> tuple[Unit, ...]:
    """Return the provinces of the LOCALITIES_HOME_AREA setting (ValueError names a wrong entry)."""
    entries = settings.get("LOCALITIES_HOME_AREA", DEFAULTS["LOCALITIES_HOME_AREA"])
    if isinstance(entries, str):  # one province written without a list
        entries = [entries]
    return gazetteer.home_provinces(entries)


def article_day(article) -> date:
    """Return the day whose units an article's localities are read against."""
    moment = getattr(article, "date", None)
    return moment.date() if moment else FALLBACK_DAY


def resolve_article_units(articles, gazetteer: Gazetteer, settings) -> dict[int, list[Unit]]:
    """Resolve each article's localities; report every unknown or ambiguous name."""
    resolved: dict[int, list[Unit]] = {}
    home = home_area(settings, gazetteer)
    for article in articles:
        result = gazetteer.resolve(list(getattr(article, "localities_raw", [])), article_day(article), home)
        if result.problems:
            line = getattr(article, "header_lines", {}).get("localities", 1)
            path = display_path(article.source_path, settings)
            for problem in result.problems:
                report(Problem(path, line, problem.message, problem.fix))
        resolved[id(article)] = list(dict.fromkeys(result.units))
    return resolved


def roll_up(articles, resolved: dict[int, list[Unit]], gazetteer: Gazetteer) -> dict[str, list]:
    """Return unit id → articles naming the unit or any unit inside it (article order kept)."""
    pages: dict[str, list] = defaultdict(list)
    for article in articles:
        ids: dict[str, None] = {}
        day = article_day(article)
        for unit in resolved[id(article)]:
            ids[unit.id] = None
            # Parents as named on the article's day: a 2021 article about a district of
            # Thừa Thiên Huế rolls up to the province, not to the Huế city of early 2025.
            for ancestor in gazetteer.ancestors_on(unit, day):
                ids[ancestor.id] = None
        for unit_id in ids:
            pages[unit_id].append(article)
    return pages


def build_localities(pages: dict[str, list], gazetteer: Gazetteer, settings) -> dict[str, Locality]:
    """Create one Locality per unit with articles and link parents, children, old and new units."""
    terms = {unit_id: Locality(gazetteer.get(unit_id), settings) for unit_id in pages}
    for term in terms.values():
        newest_day = article_day(pages[term.unit.id][0])
        term.parents = [terms[a.id] for a in reversed(gazetteer.ancestors_on(term.unit, newest_day)) if a.id in terms]
        if term.parents:
            term.parents[-1].children.append(term)
    for term in terms.values():
        unit = term.unit
        term.children.sort(key=lambda t: (t.unit.short_name.casefold(), t.slug))
        term.successors = linked_units(gazetteer.successors(unit), gazetteer.successors, terms)
        term.predecessors = linked_units(gazetteer.predecessors(unit), gazetteer.predecessors, terms)
        term.ended_on = unit.valid_to + timedelta(days=1) if unit.valid_to and term.successors else None
        term.started_on = unit.valid_from if term.predecessors else None
    return terms


def region_order(data_path: Path) -> list[str]:
    """Return the regions in the order data/regions.toml lists them (north to south)."""
    path = data_path / "regions.toml"
    if not path.exists():
        return []
    return list(tomllib.loads(path.read_text(encoding="utf-8")).get("old", {}))


def linked_units(units: list[Unit], step, terms: dict[str, Locality]) -> list[tuple[Unit, Locality | None]]:
    """Pair each unit with its page; a unit without one is followed further (Thừa Thiên Huế →
    Huế of early 2025 → Huế of today) so readers land on the nearest page that exists."""
    pairs: list[tuple[Unit, Locality | None]] = []
    for unit in units:
        frontier, seen, found = [unit], {unit.id}, []
        while frontier and not found:
            found = [u for u in frontier if u.id in terms]
            frontier = [n for u in frontier for n in step(u) if n.id not in seen and not seen.add(n.id)]
        pairs += [(u, terms[u.id]) for u in found] or [(unit, None)]
    return list(dict.fromkeys(pairs))


def locality_index(
    terms: dict[str, Locality], pages: dict[str, list], gazetteer: Gazetteer, regions: list[str]
) -> list[dict]:
    """Group provinces (current and former) and declared places by region for /dia-phuong/."""
    groups: dict[str, list] = defaultdict(list)
    for unit_id, term in terms.items():
        unit = term.unit
        if unit.level in (0, 1):
            region = gazetteer.region_of(unit) or ""
            groups[region].append({"locality": term, "count": len(pages[unit_id]), "former": bool(unit.valid_to)})
    return [
        {"region": region, "entries": sorted(entries, key=lambda e: (e["former"], e["locality"].short_name.casefold()))}
        for region, entries in sorted(
            groups.items(),
            key=lambda item: (
                item[0] not in regions,
                regions.index(item[0]) if item[0] in regions else 0,
                fold(item[0]),
            ),
        )
    ]
