"""Pelican's date groupings in linear time, with the same results.

Pelican 4.12 builds each period archive's article list as `[a for a in articles if a in dates]`
and each tag's, category's and author's date list as `[a for a in dates if a in articles]`, where
`in` scans a list: on 10,000 articles that is hundreds of millions of comparisons, several seconds
of every build. Here the period archives are grouped in one pass, and the term lists answer `in`
from a set of identities.
"""

import calendar
from collections import defaultdict
from itertools import groupby
from operator import attrgetter

from pelican.utils import process_translations as PELICANS_PROCESS_TRANSLATIONS  # noqa: N812

GRANULARITIES = {
    "year": ("YEAR_ARCHIVE_SAVE_AS", "YEAR_ARCHIVE_URL", attrgetter("date.year")),
    "month": ("MONTH_ARCHIVE_SAVE_AS", "MONTH_ARCHIVE_URL", attrgetter("date.year", "date.month")),
    "day": ("DAY_ARCHIVE_SAVE_AS", "DAY_ARCHIVE_URL", attrgetter("date.year", "date.month", "date.day")),
}


def period_names(granularity: str, period) -> tuple[tuple, tuple]:
    """Return (period, period_num) as Pelican gives them to templates: month names in English."""
    if granularity == "year":
        return (period,), (period,)
    month_name = calendar.month_name[period[1]]
    named = (period[0], month_name) if granularity == "month" else (period[0], month_name, period[2])
    return named, tuple(period)


def period_archives(sorted_articles, articles, settings) -> dict[str, list[dict]]:
    """Group articles by year, month and day exactly as Pelican's _build_period_archives does.

    sorted_articles: oldest first (Pelican's `dates`); each archive lists its dates in that order
    and its articles in the order of `articles`.
    """
    position = {id(article): index for index, article in enumerate(articles)}
    archives: dict[str, list[dict]] = defaultdict(list)  # as Pelican's: a missing granularity is []
    for granularity, (save_as_name, url_name, key) in GRANULARITIES.items():
        save_as, url = settings[save_as_name], settings[url_name]
        if not save_as:
            continue
        for period, group in groupby(sorted_articles, key=key):
            dates = list(group)
            members = sorted((a for a in dates if id(a) in position), key=lambda a: position[id(a)])
            named, number = period_names(granularity, period)
            archives[granularity].append(
                {
                    "dates": dates,
                    "articles": members,
                    "save_as": save_as.format(date=dates[0].date),
                    "url": url.format(date=dates[0].date),
                    "period": named,
                    "period_num": number,
                }
            )
    return archives


class MemberList(list):
    """A list of articles whose `in` is answered from a set of identities (rebuilt if it grows)."""

    def __contains__(self, item) -> bool:
        members = self.__dict__.get("_members")
        if members is None or self.__dict__.get("_size") != len(self):
            members = self.__dict__["_members"] = {id(a) for a in self}
            self.__dict__["_size"] = len(self)
        return id(item) in members


def index_term_lists(generator) -> None:
    """Make the article lists of tags, categories and authors answer `in` in constant time."""
    for name in ("tags", "categories", "authors"):
        terms = getattr(generator, name, None)
        if isinstance(terms, dict):
            for term, members in terms.items():
                terms[term] = MemberList(members)
        elif isinstance(terms, list):
            terms[:] = [(term, MemberList(members)) for term, members in terms]


def process_translations(content_list, translation_id=None):
    """pelican.utils.process_translations, with its last step done by identity in a set.

    Pelican finds the translations as `[x for x in content_list if x not in index]` where index is a
    list: quadratic, 1.2 s of every build at 10,000 articles. The grouping, the warnings (Pelican's
    own get_original_items) and the results are the same; bad translation_id values get Pelican's
    own errors.
    """
    from pelican.utils import get_original_items

    if not translation_id:
        return PELICANS_PROCESS_TRANSLATIONS(content_list, translation_id)
    keys = {translation_id} if isinstance(translation_id, str) else translation_id
    try:
        key = attrgetter(*keys)
        content_list.sort(key=key)
    except (TypeError, AttributeError):
        return PELICANS_PROCESS_TRANSLATIONS(content_list, translation_id)
    originals = []
    for values, group in groupby(content_list, key):
        values = (values,) if len(keys) == 1 else values
        with_str = "with" + ", ".join(f' {name} "{value}"' for name, value in zip(keys, values, strict=True))
        items = list(group)
        originals.extend(get_original_items(items, with_str))
        for item in items:
            item.translations = [other for other in items if other is not item]
    chosen = {id(item) for item in originals}
    return originals, [item for item in content_list if id(item) not in chosen]
