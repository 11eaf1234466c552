"""Sitemaps (an index, its parts, a Google News sitemap) and robots.txt, as pure functions.

The protocol caps one sitemap at 50,000 URLs and 50 MB, so /sitemap.xml is an index of parts.
Parts are cut so that an edit rewrites few of them: the pages that are not articles in URL
order, and the articles by year of publication, each year in date order. Chunks are cut from
the start of their run, so an article published today only changes the last chunk of its year,
and an old article edited only changes the chunk it is in.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from xml.sax.saxutils import escape

from thidua.vntext import format_datetime_iso

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
MAX_BYTES = 50 * 1024 * 1024  # the protocol's limit for one uncompressed sitemap
NEWS_MAX_URLS = 1000  # Google News reads at most this many entries per sitemap
NEWS_WINDOW = timedelta(days=2)
PAGES_PART = "sitemaps/trang-{n}.xml"
ARTICLES_PART = "sitemaps/tin-tuc-{year}-{n}.xml"
NEWS_PART = "sitemaps/tin-moi.xml"
_XML = '<?xml version="1.0" encoding="UTF-8"?>'


@dataclass(frozen=True)
class Entry:
    """One published page: its absolute URL, when it last changed (None when unknown), and for
    an article its publication date and title (the parts and the news sitemap need them)."""

    loc: str
    lastmod: datetime | None
    published: datetime | None = None
    title: str | None = None


@dataclass(frozen=True)
class Part:
    """One sitemap file of the index: its path below the output folder, XML and newest lastmod."""

    path: str
    xml: str
    lastmod: datetime | None


def _url_line(entry: Entry) -> str:
    lastmod = f"<lastmod>{format_datetime_iso(entry.lastmod)}</lastmod>" if entry.lastmod else ""
    return f"<url><loc>{escape(entry.loc)}</loc>{lastmod}</url>"


def _urlset(lines, namespaces: str = "") -> str:
    head = [_XML, f'<urlset xmlns="{SITEMAP_NS}"{namespaces}>']
    return "\n".join([*head, *lines, "</urlset>"]) + "\n"


def _chunks(entries: list[Entry], max_urls: int, max_bytes: int):
    """Yield runs of at most max_urls entries whose urlset stays under max_bytes, in order."""
    overhead = len(_urlset([]).encode())
    run, size = [], overhead
    for entry in entries:
        line = _url_line(entry)
        cost = len(line.encode()) + 1
        if run and (len(run) == max_urls or size + cost > max_bytes):
            yield run
            run, size = [], overhead
        run.append((entry, line))
        size += cost
    if run:
        yield run


def _newest(entries) -> datetime | None:
    dates = [e.lastmod for e in entries if e.lastmod]
    return max(dates) if dates else None


def sitemap_parts(entries, max_urls: int = 50000, max_bytes: int = MAX_BYTES) -> list[Part]:
    """Return the parts listing every entry once: pages by URL, then articles by year and date."""
    unique = {entry.loc: entry for entry in entries}
    pages = sorted((e for e in unique.values() if e.published is None), key=lambda e: e.loc)
    years: dict[int, list[Entry]] = {}
    for entry in sorted((e for e in unique.values() if e.published), key=lambda e: (e.published, e.loc)):
        years.setdefault(entry.published.year, []).append(entry)
    runs = [(PAGES_PART, {}, pages), *((ARTICLES_PART, {"year": y}, years[y]) for y in sorted(years))]
    parts = []
    for pattern, fields, members in runs:
        for number, run in enumerate(_chunks(members, max_urls, max_bytes), 1):
            xml = _urlset(line for _, line in run)
            parts.append(Part(pattern.format(n=number, **fields), xml, _newest(e for e, _ in run)))
    return parts


def news_part(entries, now: datetime, publication: str, language: str = "vi") -> Part | None:
    """Return the Google News sitemap of the articles published in the two days before now
    (newest first, at most 1,000), or None when there are none (an empty urlset is invalid)."""
    unique = {e.loc: e for e in entries if e.published and now - NEWS_WINDOW <= e.published <= now}
    recent = sorted(unique.values(), key=lambda e: (-e.published.timestamp(), e.loc))[:NEWS_MAX_URLS]
    if not recent:
        return None
    name, lang = escape(publication), escape(language)
    lines = [
        f"<url><loc>{escape(e.loc)}</loc><news:news><news:publication><news:name>{name}</news:name>"
        f"<news:language>{lang}</news:language></news:publication>"
        f"<news:publication_date>{format_datetime_iso(e.published)}</news:publication_date>"
        f"<news:title>{escape(e.title or '')}</news:title></news:news></url>"
        for e in recent
    ]
    newest = max(e.published for e in recent)
    return Part(NEWS_PART, _urlset(lines, f' xmlns:news="{NEWS_NS}"'), newest)


def build_index(parts, siteurl: str) -> str:
    """Return the sitemap index listing each part with its newest lastmod."""
    lines = [_XML, f'<sitemapindex xmlns="{SITEMAP_NS}">']
    for part in parts:
        lastmod = f"<lastmod>{format_datetime_iso(part.lastmod)}</lastmod>" if part.lastmod else ""
        lines.append(f"<sitemap><loc>{escape(f'{siteurl}/{part.path}')}</loc>{lastmod}</sitemap>")
    lines.append("</sitemapindex>")
    return "\n".join(lines) + "\n"


def build_robots(siteurl: str, disallow=(), sitemaps=("sitemap.xml",)) -> str:
    """Return robots.txt: everything allowed except `disallow`, and the sitemaps' addresses."""
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in disallow] or ["Disallow:"]
    lines += ["", *(f"Sitemap: {siteurl}/{path}" for path in sitemaps)]
    return "\n".join(lines) + "\n"
