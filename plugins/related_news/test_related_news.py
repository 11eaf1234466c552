from datetime import datetime

from related_news.related_news import DEFAULTS, build_index, related_articles


class Article:
    """A stand-in with the attributes the scoring reads (hashable by identity, like Pelican's)."""

    def __init__(self, **attributes):
        self.__dict__.update(attributes)


def article(slug, day, localities=(), campaigns=(), tags=(), category="a"):
    return Article(
        slug=slug,
        date=datetime(2024, 1, day),
        localities=list(localities),
        campaigns=list(campaigns),
        tags=list(tags),
        category=category,
    )


def test_shared_places_and_campaigns_outrank_shared_tags_and_category():
    me = article("me", 10, localities=["hue"], campaigns=["mai-vang"], tags=["x"])
    same_place = article("same-place", 1, localities=["hue"], category="b")
    same_campaign = article("same-campaign", 2, campaigns=["mai-vang"], category="b")
    same_tag = article("same-tag", 9, tags=["x"], category="b")
    same_category = article("same-category", 9)
    unrelated = article("unrelated", 9, category="c")
    everything = [me, same_place, same_campaign, same_tag, same_category, unrelated]
    weights = DEFAULTS["RELATED_NEWS_WEIGHTS"]
    related = related_articles(me, build_index(everything, weights), weights, 5)
    assert [a.slug for a in related] == ["same-campaign", "same-place", "same-category", "same-tag"]


def test_ties_are_broken_by_date_then_slug_so_output_is_deterministic():
    me = article("me", 10, localities=["hue"])
    older = article("b-older", 1, localities=["hue"])
    newer_b = article("b-newer", 5, localities=["hue"])
    newer_a = article("a-newer", 5, localities=["hue"])
    weights = DEFAULTS["RELATED_NEWS_WEIGHTS"]
    related = related_articles(me, build_index([me, older, newer_b, newer_a], weights), weights, 2)
    assert [a.slug for a in related] == ["a-newer", "b-newer"]
