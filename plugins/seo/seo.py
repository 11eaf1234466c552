"""Canonical URLs, Open Graph and Twitter tags, JSON-LD, the sitemaps and robots.txt."""

import logging
import os
import posixpath
import re
from pathlib import Path

from jinja2 import pass_context
from markupsafe import Markup
from pelican import signals

from thidua.clock import build_time

from . import metadata
from .sitemap import Entry, build_index, build_robots, news_part, sitemap_parts

logger = logging.getLogger(__name__)

DEFAULTS = {
    "SEO_SITEMAP": True,
    "SEO_ROBOTS": True,
    "SEO_SITEMAP_EXCLUDE": (),  # regular expressions matched against the path after SITEURL
    "SEO_SITEMAP_MAX_URLS": 50000,  # URLs per part of the sitemap index (the protocol's limit)
    "SEO_NEWS_SITEMAP": True,  # a Google News sitemap of the last two days' articles
    "SEO_ROBOTS_DISALLOW": ("/ban-nhap/",),
    "SEO_PUBLISHER_LOGO": None,
    "SEO_TWITTER_SITE": None,
}
NOT_FOUND = "404.html"

_entries: list[Entry] = []
# id of an article list → (the list, its newest date), for this build's pages.
_newest: dict[int, tuple] = {}


def setting(settings, name):
    """Return an SEO setting or its default."""
    return settings.get(name, DEFAULTS[name])


def validate_settings(pelican) -> None:
    """Reject bad SEO settings early, naming the setting and the fix."""
    for name in ("SEO_SITEMAP_EXCLUDE", "SEO_ROBOTS_DISALLOW"):
        value = setting(pelican.settings, name)
        if isinstance(value, str) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"seo: {name}={value!r} must be a list of strings, e.g. ['^tim-kiem/']")
    maximum = setting(pelican.settings, "SEO_SITEMAP_MAX_URLS")
    if not isinstance(maximum, int) or isinstance(maximum, bool) or not 1 <= maximum <= 50000:
        raise ValueError(f"seo: SEO_SITEMAP_MAX_URLS={maximum!r} must be a whole number from 1 to 50000, e.g. 50000")
    _entries.clear()
    _newest.clear()


def is_unpublished(context) -> bool:
    """Return whether the page being written is a draft or hidden article or page."""
    content = context.get("article") or context.get("page")
    return content is not None and getattr(content, "status", "published") != "published"


def is_not_found(context) -> bool:
    """Return whether the page being written is the 404 page."""
    return context.get("page_name") == "404" or context.get("output_file") == NOT_FOUND


def page_url(context) -> str:
    """Return the site-relative URL of the page being rendered."""
    content = context.get("article") or context.get("page")
    if content is not None:
        return content.url
    articles_page = context.get("articles_page")
    if articles_page is not None and getattr(articles_page, "url", None) is not None:
        return articles_page.url
    # Pelican hands direct templates and plugin pages their URL only as the file they go to.
    return context.get("url") or re.sub(r"(?:^|(?<=/))index\.html$", "", context.get("output_file") or "")


def collection_name(context) -> str:
    """Return the name of a list page, as its heading shows it."""
    t = context.get("t", {})
    for key in ("category", "tag", "locality", "campaign"):
        term = context.get(key)
        if term is not None and not isinstance(term, str) and hasattr(term, "name"):
            return term.name
    subscribe = context.get("feed_subscribe")  # a feed's subscribe page (feeds plugin)
    if subscribe is not None:
        return f"{t.get('feeds', {}).get('follow', '')}: {subscribe.feed.title}"
    period = context.get("period")
    if period:
        return f"{t.get('archive', {}).get('title', '')} {'/'.join(str(p) for p in reversed(period))}".strip()
    settings_urls = {
        context.get("ARCHIVES_URL"): t.get("archive", {}).get("title"),
        context.get("LOCALITIES_URL"): t.get("list", {}).get("localities_title"),
        context.get("CAMPAIGNS_URL"): t.get("list", {}).get("campaigns_title"),
        context.get("SEARCH_URL"): t.get("search", {}).get("title"),
    }
    name = settings_urls.get(page_url(context))
    return name or context.get("SITENAME", "")


@pass_context
def seo_page(context) -> dict | None:
    """Return what head_meta.html shows for the page being rendered, or None for drafts and 404."""
    if is_unpublished(context) or is_not_found(context):
        return None
    settings = context
    siteurl = context.get("SITEURL", "")
    canonical = metadata.absolute_url(siteurl, page_url(context))
    article = context.get("article")
    page = context.get("page")
    home = context.get("t", {}).get("site", {}).get("home", "")
    if article is not None:
        blocks = [metadata.news_article(article, settings), metadata.article_breadcrumbs(article, settings, home)]
        info = {
            "type": "article",
            "title": str(article.title),
            "description": getattr(article, "description", "") or "",
            "image": metadata.image_of(article, siteurl),
            "published": article.date,
            "modified": getattr(article, "modified", None) or article.date,
            "section": article.category.name,
        }
    elif page is not None:
        description = getattr(page, "description", "") or context.get("SITE_DESCRIPTION", "")
        blocks = [metadata.web_page(str(page.title), canonical, description, settings)]
        info = {"type": "website", "title": str(page.title), "description": description, "image": None}
    else:
        name = collection_name(context)
        description = context.get("SITE_DESCRIPTION", "")
        articles_page = context.get("articles_page")
        listed = articles_page.object_list if articles_page is not None else []
        blocks = [metadata.collection_page(name, canonical, description, listed, settings)]
        info = {"type": "website", "title": name, "description": description, "image": None}
    info["canonical"] = canonical
    info["json_ld"] = [Markup(metadata.json_for_script(block)) for block in blocks]  # noqa: S704 (escaped JSON)
    info["twitter_site"] = setting(context, "SEO_TWITTER_SITE")
    return info


def add_template_functions(generator) -> None:
    """Expose seo_page() to the templates."""
    generator.env.globals["seo_page"] = seo_page


def lastmod_of(context):
    """Return when the page being written last changed: its own date, else its newest article."""
    content = context.get("article") or context.get("page")
    if content is not None:
        return getattr(content, "modified", None) or getattr(content, "date", None)
    articles_page = context.get("articles_page")
    if articles_page is not None:
        articles = articles_page.object_list
    elif context.get("feed_subscribe") is not None:  # a feed's subscribe page lists its newest
        articles = context["feed_subscribe"].articles
    else:
        articles = context.get("articles") or []
    known = _newest.get(id(articles))
    if known is not None and known[0] is articles:  # the same list on many pages (a site's 10,000 articles)
        return known[1]
    dates = [getattr(a, "modified", None) or a.date for a in articles]
    newest = max(dates) if dates else None
    _newest[id(articles)] = (articles, newest)
    return newest


def collect_page(path, context) -> None:
    """Remember each published HTML page for the sitemap (no drafts, hidden pages or 404)."""
    relative = context.get("output_file")  # what Pelican's writer was asked to write, below the output folder
    if relative and not os.path.isabs(relative):
        relative = posixpath.normpath(relative.replace(os.sep, "/"))
    else:
        output = os.path.abspath(context.get("OUTPUT_PATH", "."))
        relative = os.path.relpath(os.path.abspath(path), output)
        if relative.startswith(".."):  # reached through a link: compare the real paths
            relative = os.path.relpath(os.path.realpath(path), os.path.realpath(output))
        relative = Path(relative).as_posix()
    if not relative.endswith(".html") or relative == NOT_FOUND or is_unpublished(context):
        return
    url = re.sub(r"(?:^|(?<=/))index\.html$", "", relative)
    if any(re.search(pattern, url) for pattern in setting(context, "SEO_SITEMAP_EXCLUDE")):
        return
    loc = metadata.absolute_url(context.get("SITEURL", ""), url)
    article = context.get("article")
    if article is not None:  # articles get their own parts by year, and the news sitemap
        _entries.append(Entry(loc, lastmod_of(context), article.date, str(article.title)))
    else:
        _entries.append(Entry(loc, lastmod_of(context)))


def _write(path: Path, text: str) -> None:
    """Write through the incremental plugin when it is on (unchanged files keep their mtime and
    a part no longer made is removed)."""
    try:
        from plugins.incremental import write_output
    except ImportError:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    else:
        write_output(path, text)


def write_sitemap(pelican) -> None:
    """Write the sitemap index (sitemap.xml), its parts, the news sitemap and robots.txt."""
    try:
        settings = pelican.settings
        output = Path(pelican.output_path)
        siteurl = settings.get("SITEURL", "")
        listed = ["sitemap.xml"]
        if setting(settings, "SEO_SITEMAP"):
            parts = sitemap_parts(_entries, setting(settings, "SEO_SITEMAP_MAX_URLS"))
            news = None
            if setting(settings, "SEO_NEWS_SITEMAP"):
                language = settings.get("DEFAULT_LANG") or "vi"
                news = news_part(_entries, build_time(settings), settings.get("SITENAME", ""), language)
            if news is not None:
                parts.append(news)
                listed.append(news.path)
            for part in parts:
                _write(output / part.path, part.xml)
            _write(output / "sitemap.xml", build_index(parts, siteurl))
            logger.info(
                "seo: wrote sitemap.xml, an index of %d sitemaps, %d pages", len(parts), len({e.loc for e in _entries})
            )
        if setting(settings, "SEO_ROBOTS"):
            robots = build_robots(siteurl, setting(settings, "SEO_ROBOTS_DISALLOW"), listed)
            _write(output / "robots.txt", robots)
    finally:
        _entries.clear()
        _newest.clear()


def register() -> None:
    """Connect the SEO plugin."""
    signals.initialized.connect(validate_settings)
    signals.generator_init.connect(add_template_functions)
    signals.content_written.connect(collect_page)
    try:
        from plugins.incremental import replay_page_records, share_page_records
    except ImportError:
        pass
    else:
        # The pages a forked page process writes are reported there: their entries come back here.
        share_page_records("seo.sitemap", lambda: list(_entries), _entries.extend)
        # A paginated list skipped whole is not written again: its pages' entries are replayed.
        replay_page_records(
            "seo.sitemap", collect_page, lambda: len(_entries), lambda mark: _entries[mark:], _entries.extend
        )
    signals.finalized.connect(write_sitemap)
