"""'Các tin khác': related articles chosen by shared localities and campaigns, then tags."""

import heapq
from collections import defaultdict

from pelican import signals

DEFAULTS = {
    "RELATED_NEWS_COUNT": 5,
    # A shared place or campaign says more about a reader's interest than a free keyword.
    "RELATED_NEWS_WEIGHTS": {"localities": 3, "campaigns": 3, "tags": 1, "category": 1},
}


def build_index(articles, attributes) -> dict:
    """Return (attribute, term) → articles carrying that term."""
    index = defaultdict(list)
    for article in articles:
        for attribute in attributes:
            for term in _terms(article, attribute):
                index[(attribute, term)].append(article)
    return index


def related_articles(article, index, weights: dict, count: int) -> list:
    """Return the `count` best-scoring other articles, newest first among equal scores.

    The category is shared by about a third of the site, so its members are not scored one by
    one: they only fill the list after the articles that share a place, campaign or tag.
    """
    scores: dict = defaultdict(int)
    for attribute, weight in weights.items():
        if attribute == "category":
            continue
        for term in _terms(article, attribute):
            for other in index.get((attribute, term), ()):
                if other is not article:
                    scores[other] += weight
    category = getattr(article, "category", None)
    same_category = index.get(("category", category), ()) if category and "category" in weights else ()
    if same_category:
        bonus = weights["category"]
        for other in scores:
            if other.category == category:
                scores[other] += bonus
        fillers = []
        for other in same_category:  # already newest first, as the generator sorted them
            if other is not article and other not in scores:
                fillers.append(other)
                if len(fillers) == count:
                    break
        for other in fillers:
            scores[other] = bonus
    return heapq.nsmallest(count, scores, key=lambda other: (-scores[other], -other.date.timestamp(), other.slug))


def _terms(article, attribute):
    if attribute == "category":
        return [article.category] if getattr(article, "category", None) else []
    return getattr(article, attribute, None) or []


def attach_related(generator) -> None:
    """Set article.related on every published article."""
    settings = {**DEFAULTS, **{k: v for k, v in generator.settings.items() if k.startswith("RELATED_NEWS_")}}
    weights = settings["RELATED_NEWS_WEIGHTS"]
    index = build_index(generator.articles, weights)
    for article in generator.articles + generator.drafts + generator.hidden_articles:
        article.related = related_articles(article, index, weights, settings["RELATED_NEWS_COUNT"])


def register() -> None:
    """Connect the related-news plugin (after the taxonomies plugin in PLUGINS)."""
    signals.article_generator_finalized.connect(attach_related)
