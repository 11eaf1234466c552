"""Pelican adapters: turn the context's article lists into feed files and their subscribe pages,
and tell templates the URLs."""

import logging
import mimetypes
import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pelican import signals
from pelican.generators import Generator

from thidua.forked import ForkedCall

from . import unchanged
from .build import FeedImage, FeedItem, FeedSpec, absolute_html, build_feed, feed_id, item_id, with_source

logger = logging.getLogger(__name__)

DEFAULTS = {
    "FEEDS_MAX_ITEMS": 50,
    "FEEDS_FORMATS": ("rss", "atom"),
    "FEEDS_RSS_NAME": "rss.xml",
    "FEEDS_ATOM_NAME": "atom.xml",
    "FEEDS_DOMAIN": None,  # None: SITEURL
    # Each feed's HTML page for people (what a feed is, its address, the latest items), in this
    # folder beside the feed files; the "Theo dõi qua RSS" links lead there. Browsers are
    # dropping XSLT, so the feeds themselves carry no stylesheet.
    "FEEDS_SUBSCRIBE_FOLDER": "theo-doi/",
    "FEEDS_SUBSCRIBE_ITEMS": 10,
    "FEEDS_TAXONOMIES": ("categories", "localities", "campaigns"),
    "FEEDS_TITLES": {
        "site": "{site}",
        "categories": "{name} | {site}",
        "localities": "{name} | {site}",
        "campaigns": "Phong trào {name} | {site}",
        "honours": "Bảng vàng | {site}",
    },
    "FEEDS_DESCRIPTIONS": {
        "site": "{description}",
        "categories": "Tin mới nhất chuyên mục {name} trên {site}.",
        "localities": "Tin mới nhất về {name} trên {site}.",
        "campaigns": "Tin mới nhất về phong trào {name} trên {site}.",
        "honours": "Tin tôn vinh các cá nhân, tập thể trong bảng vàng của {site}.",
    },
    "FEEDS_SOURCE_LABEL": "Nguồn",
    # Sites with at least this many articles write their feeds in a forked process while the
    # build process renders pages (0: never). Small sites are quicker without the fork.
    "FEEDS_WORKER_MIN_ARTICLES": 500,
}
SUBSCRIBE_TEMPLATE = "feed_subscribe"
# Taxonomy → the setting holding its index URL (the scheme of its categories in feeds).
SCHEME_SETTINGS = {"categories": "CATEGORY_URL", "localities": "LOCALITIES_URL", "campaigns": "CAMPAIGNS_URL"}


@dataclass(frozen=True)
class FeedLinks:
    """What templates need to advertise a page's feeds: title and site-relative URLs (feed files
    and the subscribe page)."""

    title: str
    rss: str | None
    atom: str | None
    page: str


@dataclass(frozen=True)
class SubscribePage:
    """What a feed's subscribe page shows. One object rather than loose variables: the incremental
    plugin counts the articles of an object by their metadata (cards show it), of a bare list only
    by URL and date (a list page's cards come from its paginator page)."""

    feed: FeedLinks
    addresses: tuple[str, ...]  # absolute RSS then Atom address
    list_url: str  # the HTML list the feed follows
    list_name: str | None  # None for the whole site's feed
    articles: tuple  # the newest, newest first


def apply_defaults(pelican) -> None:
    """Fill in and validate the FEEDS_* settings."""
    settings = pelican.settings
    for name, value in DEFAULTS.items():
        settings.setdefault(name, value)
    for name, example in (("FEEDS_MAX_ITEMS", 50), ("FEEDS_SUBSCRIBE_ITEMS", 10)):
        maximum = settings[name]
        if not isinstance(maximum, int) or isinstance(maximum, bool) or maximum < 1:
            raise ValueError(f"{name} must be a positive integer, e.g. {example}")
    folder = settings["FEEDS_SUBSCRIBE_FOLDER"]
    if not isinstance(folder, str) or not folder.endswith("/") or folder.startswith("/") or folder == "/":
        raise ValueError('FEEDS_SUBSCRIBE_FOLDER must be a folder name ending in "/", e.g. "theo-doi/"')
    threshold = settings["FEEDS_WORKER_MIN_ARTICLES"]
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 0:
        raise ValueError("FEEDS_WORKER_MIN_ARTICLES must be a whole number ≥ 0 (0: never fork), e.g. 500")
    formats = tuple(settings["FEEDS_FORMATS"])
    if not formats or not set(formats) <= {"rss", "atom"}:
        raise ValueError('FEEDS_FORMATS must list "rss" and/or "atom", e.g. ("rss", "atom")')
    unknown = set(settings["FEEDS_TAXONOMIES"]) - set(SCHEME_SETTINGS)
    if unknown:
        raise ValueError(f"FEEDS_TAXONOMIES: unknown {sorted(unknown)}; choose from {sorted(SCHEME_SETTINGS)}")
    plugins = [getattr(p, "__name__", str(p)).rsplit(".", 1)[-1] for p in settings.get("PLUGINS") or []]
    if "images" in plugins and "feeds" in plugins and plugins.index("images") > plugins.index("feeds"):
        logger.warning('feeds: put "feeds" after "images" in PLUGINS so enclosures can name the published image files')


def domain(settings) -> str:
    """Return the scheme and host (and path) that every feed URL starts with."""
    configured = settings.get("FEEDS_DOMAIN")
    return (configured if configured is not None else settings.get("SITEURL", "")).rstrip("/")


def _aware(moment, tz):
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _scheme(settings, taxonomy: str, base: str) -> str:
    url = settings.get(SCHEME_SETTINGS[taxonomy], "") or ""
    prefix = url.split("{", 1)[0]
    return f"{base}/{prefix}" if prefix else ""


def lead_image(article, settings) -> FeedImage | None:
    """Return the lead image as published: the images plugin's Open Graph variant, else the file."""
    image = (getattr(article, "image", None) or "").strip().lstrip("/")
    if not image:
        return None
    base = domain(settings)
    output = Path(settings["OUTPUT_PATH"])
    if hasattr(article, "lead_image"):  # the images plugin ran: use what it published
        og = getattr(article, "og_image", None) if article.lead_image else None
        if not og:
            return None  # the image could not be used; the images plugin reported why
        url = og["url"]
        relative = url[len(settings.get("SITEURL", "")) :] if url.startswith(settings.get("SITEURL", "")) else url
        relative = urlsplit(relative).path.lstrip("/")
        length = og.get("length")
        if length is None:
            path = output / relative
            if not path.is_file():
                logger.warning('feeds: %s not yet written; list "feeds" after "images" in PLUGINS', relative)
                return None
            length = path.stat().st_size
        return FeedImage(
            f"{base}/{relative}", int(length), og["type"], og.get("width"), og.get("height"), og.get("alt", "")
        )
    path = Path(settings["PATH"], *image.split("/"))
    if not path.is_file():
        return None
    width = height = None
    try:
        from PIL import Image

        with Image.open(path) as opened:
            width, height = opened.size
    except Exception:  # noqa: BLE001 - a damaged image still gets an enclosure without its size
        pass
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    alt = getattr(article, "image_alt", "") or ""
    return FeedImage(f"{base}/{image}", path.stat().st_size, mime, width, height, alt)


def make_item(article, settings, memo: unchanged.ContentMemo | None = None) -> FeedItem:
    """Turn one article into a feed item (content parsed and made absolute once, or taken from memo)."""
    tz = ZoneInfo(settings.get("TIMEZONE") or "Asia/Ho_Chi_Minh")
    base = domain(settings)
    link = f"{base}/{article.url}"
    published = _aware(article.date, tz)
    modified = getattr(article, "modified", None)
    updated = max(published, _aware(modified, tz)) if modified else published
    categories = []
    category = getattr(article, "category", None)
    if category:
        categories.append((category.name, _scheme(settings, "categories", base)))
    for taxonomy in ("localities", "campaigns"):
        categories += [
            (term.name, _scheme(settings, taxonomy, base)) for term in getattr(article, taxonomy, None) or []
        ]
    source = getattr(article, "source", "") or ""
    markup = article.content or ""
    absolute = absolute_html(markup, link) if memo is None else memo.content(markup, link, absolute_html)
    content = with_source(absolute, source, settings["FEEDS_SOURCE_LABEL"])
    relative_path = getattr(article, "relative_source_path", None) or os.path.basename(article.source_path)
    return FeedItem(
        id=item_id(getattr(article, "uid", None), relative_path),
        title=str(article.title),
        link=link,
        published=published,
        updated=updated,
        content=content,
        summary=getattr(article, "description", "") or "",
        author=str(getattr(article, "author", "") or ""),
        source=source,
        categories=tuple(dict.fromkeys(categories)),
        image=lead_image(article, settings),
    )


@dataclass
class FeedPlan:
    """One feed to write: who it is for, which articles, where it goes."""

    kind: str  # site | categories | localities | campaigns
    name: str
    page_url: str  # site-relative URL of the HTML page it belongs to
    folder_url: str  # site-relative URL folder of the feed files
    folder_save: str  # output folder of the feed files
    articles: list


def _folder(path: str) -> str:
    folder = path if path.endswith("/") else posixpath.dirname(path) + "/"
    return "" if folder == "/" else folder


def plan_feeds(context, settings) -> list[FeedPlan]:
    """Return every feed of the site from the same article lists the pages use (empty terms skipped)."""
    plans = []
    if context.get("articles"):
        plans.append(FeedPlan("site", settings.get("SITENAME", ""), "", "", "", list(context["articles"])))
    for taxonomy in settings["FEEDS_TAXONOMIES"]:
        for term, articles in context.get(taxonomy) or []:
            if articles and term.url and term.save_as:
                plans.append(
                    FeedPlan(taxonomy, term.name, term.url, _folder(term.url), _folder(term.save_as), list(articles))
                )
    honoured = list(dict.fromkeys(h.article for h in context.get("honourees") or []))
    if honoured and context.get("HONOURS_URL"):
        url = context["HONOURS_URL"]
        plans.append(FeedPlan("honours", "Bảng vàng", url, _folder(url), _folder(url), honoured))
    return plans


def spec_for(plan: FeedPlan, kind: str, settings) -> FeedSpec:
    """Return the feed-level fields of one planned feed."""
    base = domain(settings)
    file_name = settings["FEEDS_RSS_NAME"] if kind == "rss" else settings["FEEDS_ATOM_NAME"]
    values = {
        "name": plan.name,
        "site": settings.get("SITENAME", ""),
        "description": settings.get("SITE_DESCRIPTION", "") or settings.get("SITENAME", ""),
    }
    return FeedSpec(
        id=feed_id(plan.folder_url + file_name),
        title=settings["FEEDS_TITLES"][plan.kind].format(**values),
        description=settings["FEEDS_DESCRIPTIONS"][plan.kind].format(**values),
        link=f"{base}/{plan.page_url}",
        self_url=f"{base}/{plan.folder_url}{file_name}",
        language=(settings.get("DEFAULT_LANG") or "vi"),
        publisher=settings.get("PUBLISHER", "") or settings.get("SITENAME", ""),
    )


def feed_links(plans: list[FeedPlan], settings) -> dict[str, FeedLinks]:
    """Return page URL → the feeds it advertises ("" is the whole site)."""
    formats = tuple(settings["FEEDS_FORMATS"])
    return {
        plan.page_url: FeedLinks(
            spec_for(plan, formats[0], settings).title,
            plan.folder_url + settings["FEEDS_RSS_NAME"] if "rss" in formats else None,
            plan.folder_url + settings["FEEDS_ATOM_NAME"] if "atom" in formats else None,
            plan.folder_url + settings["FEEDS_SUBSCRIBE_FOLDER"],
        )
        for plan in plans
    }


def latest(articles, count: int) -> list:
    """Return the count newest articles, newest first (ties by slug, as the feeds order them)."""
    return sorted(articles, key=lambda a: (-a.date.timestamp(), a.slug))[:count]


def write_subscribe_pages(generator, writer) -> None:
    """Write each feed's subscribe page: the citizen's view of a feed, which needs no XSLT."""
    settings, base = generator.settings, domain(generator.settings)
    template = generator.get_template(SUBSCRIBE_TEMPLATE)
    links = generator.context["feeds"]
    for plan in generator.plans:
        feed = links[plan.page_url]
        folder = plan.folder_save + settings["FEEDS_SUBSCRIBE_FOLDER"]
        writer.write_file(
            folder + "index.html",
            template,
            generator.context,
            relative_urls=settings.get("RELATIVE_URLS", False),
            url=feed.page,
            feed_subscribe=SubscribePage(
                feed,
                tuple(f"{base}/{path}" for path in (feed.rss, feed.atom) if path),
                plan.page_url,
                plan.name if plan.kind != "site" else None,
                tuple(latest(plan.articles, settings["FEEDS_SUBSCRIBE_ITEMS"])),
            ),
        )


def feed_targets(plan: FeedPlan, settings, output: Path) -> list[tuple[str, Path]]:
    """Return (format, output file) of each feed written for one plan."""
    return [
        (kind, output / plan.folder_save / settings["FEEDS_RSS_NAME" if kind == "rss" else "FEEDS_ATOM_NAME"])
        for kind in settings["FEEDS_FORMATS"]
    ]


def claim_feeds(plans: list[FeedPlan], settings, output: Path) -> None:
    """Tell the incremental plugin these files belong to this build, so a feed no longer planned
    (the last article of a locality moved away) is deleted, as a build from scratch would not have it."""
    try:
        from plugins.incremental import claim
    except ImportError:
        return
    for plan in plans:
        for _, target in feed_targets(plan, settings, output):
            claim(target)


def write_feeds(plans: list[FeedPlan], settings, output: Path, partial: bool = False) -> tuple[int, int, int]:
    """Build each article's item once, write every feed; return (feeds, articles, feeds built).

    A feed whose items and fields are those it was last built from is not built again
    (unchanged.py); the others are written only if their bytes changed, so mtimes stay true.
    partial: plans are some of the site's feeds (the preview's quick path), so what the last
    build kept of the others stays for the next.
    """
    items: dict[int, FeedItem] = {}
    digests: dict[int, bytes] = {}
    entries: dict = {}
    maximum = settings["FEEDS_MAX_ITEMS"]
    where = unchanged.keys_path(settings)
    previous = unchanged.load_keys(where)
    keys = dict(previous) if partial else {}
    code = unchanged.code_digest()
    # The memo of item contents is the whole site's (60 MB at 10,000 articles): not worth reading
    # for the few items of a partial write.
    memo = None if partial else unchanged.ContentMemo(unchanged.content_memo_path(settings), code)
    written = built = 0
    for plan in plans:
        chosen = []
        for article in sorted(plan.articles, key=lambda a: -a.date.timestamp())[:maximum]:
            if id(article) not in items:
                items[id(article)] = make_item(article, settings, memo)
                digests[id(article)] = unchanged.item_digest(items[id(article)])
            chosen.append(id(article))
        for kind, target in feed_targets(plan, settings, output):
            spec = spec_for(plan, kind, settings)
            key = unchanged.feed_key(code, spec, kind, maximum, [digests[i] for i in chosen])
            written += 1
            if unchanged.is_unchanged(previous, target, key):
                keys[str(target)] = previous[str(target)]
                continue
            document = build_feed([items[i] for i in chosen], spec, kind, maximum, entries)
            built += 1
            if not target.is_file() or target.read_bytes() != document:  # unchanged feeds keep their mtime
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(document)
            unchanged.record(keys, target, key)
    unchanged.save_keys(where, keys)
    if memo is not None:
        memo.save()
    return written, len(items), built


class FeedsGenerator(Generator):
    """Write rss.xml and atom.xml for the site and every category, locality and campaign, and
    each feed's subscribe page."""

    worker: ForkedCall | None = None

    def generate_context(self):
        """Plan every feed and tell templates which pages have feeds (`feeds`)."""
        self.plans = plan_feeds(self.context, self.settings)
        self.context["feeds"] = feed_links(self.plans, self.settings)

    def start_worker(self) -> None:
        """Fork the feed writer once every generator's context is complete (large sites only)."""
        threshold = self.settings["FEEDS_WORKER_MIN_ARTICLES"]
        if threshold and len(self.context.get("articles", [])) >= threshold:
            self.worker = feed_worker(self.plans, self.settings, Path(self.output_path))

    def generate_output(self, writer):
        """Write every planned feed (or collect what the forked writer did)."""
        worker, self.worker = self.worker, None
        counts = worker.result("writing the feeds here") if worker is not None else None
        if counts is None:
            counts = write_feeds(self.plans, self.settings, Path(self.output_path))
        claim_feeds(self.plans, self.settings, Path(self.output_path))
        logger.info("feeds: %d feeds for %d articles (%d built, the others unchanged)", *counts)
        write_subscribe_pages(self, writer)


def feed_worker(plans, settings, output: Path) -> ForkedCall:
    """Write the feeds in a forked copy of the build process, which has every article already."""
    return ForkedCall(write_feeds, plans, settings, output, what="feeds: the feed process", log=logger)


_generators: list = []


def remember_generators(generators) -> None:
    """Answer all_generators_finalized: keep the generators until the contents are final."""
    _generators[:] = generators


def start_feed_worker(pelican=None) -> None:
    """Answer get_writer: contents are final (Pelican has rewritten the summaries' links), so
    feeds may be written from now on, in parallel with pages."""
    for generator in _generators:
        if isinstance(generator, FeedsGenerator):
            generator.start_worker()
    _generators.clear()


def get_generators(pelican):
    """Hand Pelican the feeds generator."""
    return FeedsGenerator


def register() -> None:
    """Connect the feeds plugin (list it after "taxonomies" and "images" in PLUGINS)."""
    signals.initialized.connect(apply_defaults)
    signals.get_generators.connect(get_generators)
    signals.all_generators_finalized.connect(remember_generators)
    signals.get_writer.connect(start_feed_worker)
