from datetime import datetime

from plugins.related_news.related_news import DEFAULTS, build_index, chosen_ranks, rank_articles, related_articles


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


def _slow_reference(me, everything, weights, count):
    """Score every other article one by one: the definition the bit-set scoring must match."""

    def score(other):
        total = 0
        for attribute, weight in weights.items():
            mine = [me.category] if attribute == "category" else getattr(me, attribute)
            theirs = [other.category] if attribute == "category" else getattr(other, attribute)
            total += weight * len(set(mine) & set(theirs))
        return total

    scored = [(score(o), o) for o in everything if o is not me]
    scored = [(s, o) for s, o in scored if s > 0]
    scored.sort(key=lambda pair: (-pair[0], -pair[1].date.timestamp(), pair[1].slug))
    return [o.slug for _, o in scored[:count]]


def test_bit_set_scoring_matches_scoring_one_by_one_on_a_random_site():
    import random

    rng = random.Random(7)
    places, campaigns, tags = [f"p{i}" for i in range(12)], [f"c{i}" for i in range(4)], [f"t{i}" for i in range(9)]
    everything = [
        article(
            f"a{n:03d}",
            rng.randint(1, 28),
            localities=rng.sample(places, rng.randint(0, 2)),
            campaigns=rng.sample(campaigns, rng.randint(0, 1)),
            tags=rng.sample(tags, rng.randint(0, 3)),
            category=rng.choice("abc"),
        )
        for n in range(300)
    ]
    weights = {"localities": 3, "campaigns": 3, "tags": 1, "category": 1}
    index = build_index(everything, weights)
    for me in everything[:80]:
        assert [a.slug for a in related_articles(me, index, weights, 5)] == _slow_reference(me, everything, weights, 5)


def test_weights_that_are_not_whole_numbers_are_refused():
    import pytest

    from plugins.related_news.related_news import validate_weights

    with pytest.raises(ValueError, match=r"RELATED_NEWS_WEIGHTS\['tags'\] = 0.5: use a whole number ≥ 0"):
        validate_weights({"tags": 0.5})


def test_the_last_builds_choice_is_used_only_while_its_inputs_are_the_same(tmp_path):
    import pickle

    memo = tmp_path / "related-news.pickle"
    weights = DEFAULTS["RELATED_NEWS_WEIGHTS"]
    site = [
        article("a", 3, localities=["hue"]),
        article("b", 2, localities=["hue"], tags=["x"]),
        article("c", 1, tags=["x"]),
    ]

    def slugs(articles, path=memo):
        index = rank_articles(articles)
        return [[index.ranked[n].slug for n in found] for found in chosen_ranks(articles, index, weights, 5, path)]

    assert slugs(site) == [["b", "c"], ["a", "c"], ["b", "a"]]
    stored = pickle.loads(memo.read_bytes())
    memo.write_bytes(pickle.dumps({**stored, "ranks": [[2], [2], [0]]}))
    assert slugs(site) == [["c"], ["c"], ["a"]]  # the same inputs: the stored choice is used as it is
    site[2].localities = ["hue"]  # a term changed: chosen again
    assert slugs(site) == slugs(site, None) == [["b", "c"], ["c", "a"], ["b", "a"]]
    site[1].date = site[1].date.replace(day=9)  # another order: chosen again
    assert slugs(site) == slugs(site, None) == [["b", "c"], ["c", "a"], ["b", "a"]]
    site.append(article("d", 4, category="b"))  # another article: chosen again
    assert slugs(site) == slugs(site, None)
    assert slugs(site)[0] == ["b", "c"] and slugs(site)[3] == []
