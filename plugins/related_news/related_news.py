"""'Các tin khác': related articles chosen by shared localities and campaigns, then tags."""

import hashlib
import pickle
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pelican import signals
from pelican.urlwrappers import URLWrapper

from thidua.memofile import code_digest, load_dict, save_dict

FORMAT = "related-1"
MEMO_FILE = "related-news.pickle"  # in CACHE_PATH

DEFAULTS = {
    "RELATED_NEWS_COUNT": 5,
    # A shared place or campaign says more about a reader's interest than a free keyword.
    # Whole numbers: scores are added up exactly (see related_articles).
    "RELATED_NEWS_WEIGHTS": {"localities": 3, "campaigns": 3, "tags": 1, "category": 1},
}


@dataclass
class Index:
    """Articles ranked newest first (then by slug), and each term's articles as a bit set of ranks.

    Bit sets keep scoring linear in the number of terms: a campaign or a category covers a
    tenth to a third of a 10,000-article site, and scoring its members one by one made the
    whole step quadratic.
    """

    ranked: list
    rank: dict = field(default_factory=dict)
    members: dict = field(default_factory=dict)


def rank_articles(articles) -> Index:
    """Return the index of the articles ranked newest first (then by slug), without its bit sets."""
    ranked = sorted(articles, key=lambda a: (-a.date.timestamp(), a.slug))
    return Index(ranked, {id(a): number for number, a in enumerate(ranked)})


def build_index(articles, attributes) -> Index:
    """Return the index of (attribute, term) → bit set of the ranks of the articles carrying it."""
    return add_members(rank_articles(articles), attributes)


def add_members(index: Index, attributes) -> Index:
    """Fill the index's bit sets: (attribute, term) → the ranks of the articles carrying the term."""
    ranked = index.ranked
    ranks = defaultdict(list)
    for number, article in enumerate(ranked):
        for attribute in attributes:
            for term in _terms(article, attribute):
                ranks[(attribute, term)].append(number)
    for key, numbers in ranks.items():
        bits = bytearray((len(ranked) + 8) // 8)
        for number in numbers:
            bits[number >> 3] |= 1 << (number & 7)
        index.members[key] = int.from_bytes(bits, "little")
    return index


def _add(planes: list[int], members: int, weight: int) -> None:
    """Add weight to the score of every article in members; planes[j] holds bit j of each score."""
    shift = 0
    while weight:
        if weight & 1:
            carry, plane = members, shift
            while carry:
                if plane == len(planes):
                    planes.append(0)
                total = planes[plane]
                planes[plane], carry = total ^ carry, total & carry
                plane += 1
        weight >>= 1
        shift += 1


def related_articles(article, index: Index, weights: dict, count: int) -> list:
    """Return the `count` best-scoring other articles, newest first (then by slug) among equal scores.

    An article's score is the sum of the weights of the terms it shares with `article`.
    """
    planes: list[int] = []
    candidates = 0
    for attribute, weight in weights.items():
        for term in _terms(article, attribute):
            members = index.members.get((attribute, term), 0)
            if members and weight > 0:
                _add(planes, members, int(weight))
                candidates |= members
    own = index.rank.get(id(article))
    if own is not None:
        candidates &= ~(1 << own)
    chosen = []
    while candidates and len(chosen) < count:
        best = candidates
        for plane in reversed(planes):  # keep the highest score present, bit by bit
            if best & plane:
                best &= plane
        while best and len(chosen) < count:
            lowest = best & -best  # the newest article of this score
            chosen.append(index.ranked[lowest.bit_length() - 1])
            best ^= lowest
            candidates ^= lowest
        candidates &= ~best
    return chosen


def _term_key(term) -> tuple:
    """What makes two terms one key of the index: Pelican's terms are equal by class and slug."""
    if isinstance(term, URLWrapper):
        return (type(term).__qualname__, term.slug)
    return (type(term).__qualname__, term)


def inputs_digest(articles, index: Index, weights: dict, count: int) -> bytes:
    """Digest of everything the related news of these articles are chosen from.

    Each article counts by its rank among the published ones (-1 for a draft) and the keys of
    its terms: the scores, the order among equal scores and the choice follow from these alone.
    """
    rows = [
        (index.rank.get(id(article), -1), [[_term_key(t) for t in _terms(article, a)] for a in weights])
        for article in articles
    ]
    data = pickle.dumps(
        (code_digest(FORMAT, __file__), sorted(weights.items()), count, rows), protocol=pickle.HIGHEST_PROTOCOL
    )
    return hashlib.blake2b(data, digest_size=16).digest()


def _terms(article, attribute):
    if attribute == "category":
        return [article.category] if getattr(article, "category", None) else []
    return getattr(article, attribute, None) or []


def validate_weights(weights: dict) -> None:
    """Reject weights that are not whole numbers, naming the setting and the fix."""
    for attribute, weight in weights.items():
        if not isinstance(weight, int) or weight < 0:
            raise ValueError(f"RELATED_NEWS_WEIGHTS[{attribute!r}] = {weight!r}: use a whole number ≥ 0, e.g. 3")


def chosen_ranks(articles, index: Index, weights: dict, count: int, memo_path: Path | None) -> list[list[int]]:
    """Return the ranks of each article's related news, from the last build's if its inputs are the same.

    Scoring 10,000 articles takes a third of a second, on every build, for lists that change only
    when an article's date, terms or publication change (memo_path: None to always score).
    """
    key = inputs_digest(articles, index, weights, count)
    memo = load_dict(memo_path)
    if memo.get("key") == key:
        return memo["ranks"]
    add_members(index, weights)
    ranks = [[index.rank[id(a)] for a in related_articles(article, index, weights, count)] for article in articles]
    save_dict(memo_path, {"key": key, "ranks": ranks})
    return ranks


def attach_related(generator) -> None:
    """Set article.related on every article (published, draft or hidden)."""
    settings = {**DEFAULTS, **{k: v for k, v in generator.settings.items() if k.startswith("RELATED_NEWS_")}}
    weights = settings["RELATED_NEWS_WEIGHTS"]
    validate_weights(weights)
    index = rank_articles(generator.articles)
    everything = generator.articles + generator.drafts + generator.hidden_articles
    memo = Path(generator.settings["CACHE_PATH"]) / MEMO_FILE if generator.settings.get("CACHE_PATH") else None
    ranks = chosen_ranks(everything, index, weights, settings["RELATED_NEWS_COUNT"], memo)
    for article, found in zip(everything, ranks, strict=True):
        article.related = [index.ranked[number] for number in found]


def register() -> None:
    """Connect the related-news plugin (after the taxonomies plugin in PLUGINS)."""
    signals.article_generator_finalized.connect(attach_related)
