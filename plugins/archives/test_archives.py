from datetime import datetime
from types import SimpleNamespace

from archives.archives import forget, month_counts, news_days


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
