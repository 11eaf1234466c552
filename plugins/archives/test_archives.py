from datetime import datetime
from types import SimpleNamespace

import pytest

from plugins.archives.archives import forget, month_counts, news_days


def _articles(*days):
    return [SimpleNamespace(date=datetime(2025, month, day)) for month, day in days]


def test_month_counts_lists_months_with_articles_in_calendar_order():
    assert month_counts(_articles((3, 1), (1, 5), (3, 9), (12, 2))) == [(1, 1), (3, 2), (12, 1)]
    forget()


def test_news_days_are_the_days_that_have_articles():
    assert news_days(_articles((3, 1), (3, 1), (3, 30))) == {1, 30}
    forget()


def test_results_follow_the_list_not_a_reused_id():
    first = _articles((1, 1))
    assert month_counts(first) == [(1, 1)]
    second = _articles((2, 1))
    assert month_counts(second) == [(2, 1)]
    forget()


def test_period_archives_are_pelicans_own_groupings(tmp_path):
    from pelican.settings import DEFAULT_CONFIG

    from plugins.archives.archives import PELICANS_PERIOD_ARCHIVES as original
    from plugins.archives.grouping import period_archives

    settings = {
        **DEFAULT_CONFIG,
        "YEAR_ARCHIVE_SAVE_AS": "{date:%Y}/index.html",
        "MONTH_ARCHIVE_SAVE_AS": "{date:%Y}/{date:%m}/index.html",
        "DAY_ARCHIVE_SAVE_AS": "",
        "YEAR_ARCHIVE_URL": "{date:%Y}/",
        "MONTH_ARCHIVE_URL": "{date:%Y}/{date:%m}/",
    }
    days = [(1, 5), (1, 5), (1, 20), (3, 2), (12, 31), (3, 2)]
    articles = _articles(*days) + [SimpleNamespace(date=datetime(2024, 7, 4))]
    newest_first = sorted(articles, key=lambda a: a.date, reverse=True)
    oldest_first = sorted(articles, key=lambda a: a.date)
    expected = original(None, oldest_first, newest_first, settings)
    assert period_archives(oldest_first, newest_first, settings) == expected
    assert period_archives(oldest_first, newest_first, settings)["day"] == []


def test_term_lists_answer_membership_like_lists():
    from plugins.archives.grouping import MemberList, index_term_lists

    members = _articles((1, 1), (2, 2))
    outsider = _articles((3, 3))[0]
    generator = SimpleNamespace(tags={"a": list(members)}, categories=[("c", list(members))], authors=[])
    index_term_lists(generator)
    assert isinstance(generator.tags["a"], MemberList) and generator.tags["a"] == members
    assert members[0] in generator.categories[0][1] and outsider not in generator.categories[0][1]
    generator.tags["a"].append(outsider)
    assert outsider in generator.tags["a"]


def _contents():
    """Fictional contents: originals, translations, a slug shared by two defaults, one all-translations."""
    specs = [
        ("a", "vi", True, "false"),
        ("a", "en", False, "true"),
        ("b", "vi", True, "false"),
        ("c", "en", False, "false"),
        ("c", "fr", False, "true"),
        ("d", "vi", True, "false"),
        ("d", "vi", True, "false"),
        ("e", "en", False, "true"),
        ("e", "fr", False, "true"),
    ]
    return [
        SimpleNamespace(
            number=n,
            slug=slug,
            lang=lang,
            in_default_lang=default,
            metadata={"translation": translation},
            source_path=f"bai-{n}.md",
        )
        for n, (slug, lang, default, translation) in enumerate(specs)
    ]


def _numbers(items):
    return [item.number for item in items]


@pytest.mark.parametrize("translation_id", ["slug", ("slug", "lang"), None, ""])
def test_translations_are_found_as_pelican_finds_them(translation_id):
    from plugins.archives.grouping import PELICANS_PROCESS_TRANSLATIONS, process_translations

    theirs, ours = _contents(), _contents()
    their_result = PELICANS_PROCESS_TRANSLATIONS(theirs[::-1], translation_id)
    our_result = process_translations(ours[::-1], translation_id)
    assert [_numbers(part) for part in our_result] == [_numbers(part) for part in their_result]
    assert [_numbers(getattr(x, "translations", [])) for x in ours] == [
        _numbers(getattr(x, "translations", [])) for x in theirs
    ]


def test_a_bad_translation_id_gets_pelicans_own_error():
    from plugins.archives.grouping import process_translations

    with pytest.raises(AttributeError, match="appear to be items without these metadata"):
        process_translations(_contents(), "nothing_like_this")
