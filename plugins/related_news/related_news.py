"""'Các tin khác': related articles chosen by shared localities and campaigns, then tags."""

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
    """Return the `count` best-scoring other articles, newest first among equal scores."""
    scores: dict = defaultdict(int)
    for attribute, weight in weights.items():
        for term in _terms(article, attribute):
            for other in index.get((attribute, term), ()):
                if other is not article:
                    scores[other] += weight
    ranked = sorted(scores, key=lambda other: (-scores[other], -other.date.timestamp(), other.slug))
    return ranked[:count]


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
