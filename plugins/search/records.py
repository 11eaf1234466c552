"""Prepare article pages for Pagefind: what is indexed, filtered and shown with each result."""

import html
import re
from dataclasses import dataclass, field

from thidua.vntext import fold, format_date_vi, nfc

# The article element the theme renders; only its content is indexed.
_ARTICLE_OPEN = re.compile(r'<article\b[^>]*\bclass="(?:[^"]*\s)?td-article(?:\s[^"]*)?"[^>]*>')
_ARTICLE_CLOSE = "</article>"
# The page Pagefind reads around the article (its language is SEARCH_LANGUAGE, forced).
_SHELL = '<!doctype html><html><head><meta charset="utf-8"></head><body>'

_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"\w+")
# Labels of the article that Pagefind leaves out (SEARCH_EXCLUDE_SELECTORS' plain elements): left out
# of the word pairs too, or every article would hold "phát động" from its category link.
_LABELS = re.compile(
    r'<(\w+)\b[^>]*\bclass="[^"]*\b(?:td-article__category|td-article__dates|td-terms__label|td-document__key'
    r'|td-document__subheading|td-figure__original)\b[^"]*"[^>]*>.*?</\1>',
    re.S,
)


@dataclass
class Record:
    """One article as the index sees it."""

    save_as: str
    url: str
    category: str
    provinces: list[str]
    year: str
    date_text: str
    localities: list[str]
    summary: str = ""
    extra_words: list[str] = field(default_factory=list)


def provinces_of(localities) -> list[str]:
    """Return the names of the provinces (level 1 units) an article's localities lie in."""
    found: dict[str, None] = {}
    for locality in localities:
        for term in [*getattr(locality, "parents", []), locality]:
            unit = getattr(term, "unit", None)
            if unit is not None and unit.level == 1:
                found[term.short_name] = None
    return list(found)


def record_for(article) -> Record:
    """Return the index record of one published article."""
    localities = list(getattr(article, "localities", []) or [])
    return Record(
        save_as=article.save_as,
        url="/" + article.url,
        category=article.category.name,
        provinces=provinces_of(localities),
        year=f"{article.date.year:04d}",
        date_text=format_date_vi(article.date),
        localities=[locality.name for locality in localities],
        summary=getattr(article, "description", "") or "",
        extra_words=[c.name for c in getattr(article, "campaigns", []) or []],
    )


def undecomposable_words(text: str) -> list[str]:
    """Return the folded form of each distinct word Pagefind cannot fold itself (those with đ/Đ)."""
    words = (fold(w) for w in _WORD.findall(nfc(text)) if "đ" in w.casefold())
    return list(dict.fromkeys(words))


def joined_pairs(text: str) -> list[str]:
    """Return each distinct pair of adjacent words of text as one word: "Đông Hà" → "dônghà".

    Vietnamese words are several syllables; Pagefind sees syllables. A query of several syllables
    is also asked as these pairs (search.js), which only pages with the syllables together and in
    that order have. Lower case, đ as d: Pagefind folds every other diacritic of a pair itself, so
    "dong ha" finds "dônghà" and "Đông Hà" prefers it over "dồnghà" (đồng hà) by its own rule.
    """
    words = [w.casefold().replace("đ", "d") for w in _WORD.findall(nfc(text))]
    return list(dict.fromkeys(a + b for a, b in zip(words, words[1:], strict=False)))


def plain(fragment: str) -> str:
    """Return the text of an HTML fragment."""
    return html.unescape(_TAG.sub(" ", fragment))


def prepare_page(page: str, record: Record) -> str | None:
    """Return the article of the page with Pagefind markup added, as a page of its own, or None without one.

    The copy is only handed to Pagefind: the published file is left as it is. Only the article is
    indexed, so the rest of the page stays out: the related news around it lists other articles'
    titles, and one edited title would otherwise re-index every shard holding a page that lists it.
    """
    opening = _ARTICLE_OPEN.search(page)
    if not opening:
        return None
    end = page.find(_ARTICLE_CLOSE, opening.end())
    if end < 0:
        return None
    body = page[opening.end() : end]
    text = " ".join([plain(body), record.summary, *record.localities, *record.extra_words])
    folded = " ".join(undecomposable_words(text))
    e = html.escape
    extras = ['<div data-pagefind-ignore="index">']
    extras.append(f'<span data-pagefind-filter="category">{e(record.category)}</span>')
    extras += [f'<span data-pagefind-filter="province">{e(p)}</span>' for p in record.provinces]
    extras.append(f'<span data-pagefind-filter="year">{e(record.year)}</span>')
    extras.append(f'<span data-pagefind-meta="date">{e(record.date_text)}</span>')
    if record.localities:
        extras.append(f'<span data-pagefind-meta="locality">{e(", ".join(record.localities))}</span>')
    # A query naming a place or campaign lists its articles first (search.js, names.py).
    extras += [f'<span data-pagefind-filter="locality">{e(x)}</span>' for x in record.localities]
    extras += [f'<span data-pagefind-filter="campaign">{e(x)}</span>' for x in record.extra_words]
    # In metadata, searched but neither shown nor part of the excerpt (and kept whole by bundle.py).
    said = " ".join([plain(_LABELS.sub(" ", body)), record.summary, *record.localities, *record.extra_words])
    extras.append(f'<span data-pagefind-meta="pairs">{e(" ".join(joined_pairs(said)))}</span>')
    extras.append("</div>")
    if record.summary and record.summary not in plain(body):
        extras.append(f"<p>{e(record.summary)}</p>")
    if folded:
        # Low weight: a word typed without đ ranks below the same word typed with it.
        extras.append(f'<p data-pagefind-weight="0.5">{e(folded)}</p>')
    opening_tag = opening.group(0)[:-1] + " data-pagefind-body>"
    return f"{_SHELL}{opening_tag}{body}{''.join(extras)}</article></body></html>"
