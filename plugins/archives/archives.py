"""Template filters for the date archives, computed once per archive rather than once per page,
and Pelican's own date groupings made linear (grouping.py).

A year archive of 2,000 articles has 200 pages, and each page shows the same list of months;
grouping all the year's articles again on every page made period archives quadratic.
"""

from collections import Counter

import pelican.generators
from pelican import signals
from pelican.generators import ArticlesGenerator

from .grouping import index_term_lists, period_archives, process_translations

_memo: dict = {}


def _once(kind: str, items, compute):
    """Return compute(items), remembered for this very list object during one build."""
    key = (kind, id(items))
    found = _memo.get(key)
    if found is None or found[0] is not items:  # the list is kept alive, so its id stays unique
        found = _memo[key] = (items, compute(items))
    return found[1]


def month_counts(dates) -> list[tuple[int, int]]:
    """Return (month, number of articles) for the months that have articles, in calendar order."""
    return _once("months", dates, lambda items: sorted(Counter(a.date.month for a in items).items()))


def news_days(dates) -> frozenset[int]:
    """Return the days of the month that have articles."""
    return _once("days", dates, lambda items: frozenset(a.date.day for a in items))


def add_filters(generator) -> None:
    """Make the filters available to every template."""
    generator.env.filters.update({"month_counts": month_counts, "news_days": news_days})


def forget(*_args) -> None:
    """Drop remembered results at the end of a build (live reload builds again in-process)."""
    _memo.clear()


# Pelican's own grouping, kept for the test that compares the two.
PELICANS_PERIOD_ARCHIVES = ArticlesGenerator._build_period_archives


PELICANS_GENERATE_AUTHORS = ArticlesGenerator.generate_authors


def _generate_authors(self, write):
    """Replacement for ArticlesGenerator.generate_authors: nothing to do without AUTHOR_SAVE_AS.

    Pelican computes every author's date list before its writer skips the empty file name:
    10,000 articles by one author cost seconds for no output.
    """
    if self.settings.get("AUTHOR_SAVE_AS"):
        PELICANS_GENERATE_AUTHORS(self, write)


def _build_period_archives(self, sorted_articles, articles, settings):
    """Replacement for ArticlesGenerator._build_period_archives: same archives, linear time."""
    return period_archives(sorted_articles, articles, settings)


def register() -> None:
    """Connect the archive filters and the linear-time groupings."""
    ArticlesGenerator._build_period_archives = _build_period_archives
    ArticlesGenerator.generate_authors = _generate_authors
    # generators.py imported the function by name: replace it there.
    pelican.generators.process_translations = process_translations
    signals.generator_init.connect(add_filters)
    signals.article_generator_finalized.connect(index_term_lists)
    signals.finalized.connect(forget)
