"""Pure feed building with feedgen: items and specs in, byte-identical RSS 2.0 or Atom 1.0 out."""

import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import nh3
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem
from markupsafe import escape

from thidua.safe_html import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES

# Fixed forever: ids derived from a path must come out the same in every build and release.
ID_NAMESPACE = uuid.UUID("5f0b7d3e-9a43-4d39-8f43-2f6a1c0e7b21")
ATOM_NS = "http://www.w3.org/2005/Atom"
# XML 1.0 forbids C0 controls but tab/newline/return, lone surrogates and U+FFFE/U+FFFF;
# C1 controls are allowed but discouraged and never meant in news text.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_URL_ATTRIBUTES = {"href", "src", "cite"}


@dataclass(frozen=True)
class FeedImage:
    """The lead image as subscribers get it: absolute URL, size in bytes, MIME type, pixels."""

    url: str
    length: int
    mime: str
    width: int | None = None
    height: int | None = None
    alt: str = ""


@dataclass(frozen=True)
class FeedItem:
    """One article, ready for any feed: every text cleaned, every URL absolute."""

    id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    content: str = ""
    summary: str = ""
    author: str = ""
    source: str = ""
    categories: tuple[tuple[str, str], ...] = ()  # (name, scheme URL of its taxonomy)
    image: FeedImage | None = None


@dataclass(frozen=True)
class FeedSpec:
    """One feed: its id, title, description, page and self URLs and publisher."""

    id: str
    title: str
    description: str
    link: str
    self_url: str
    language: str = "vi"
    publisher: str = ""
    generator: str = "Tin thi đua (Pelican, feedgen)"
    extra: dict = field(default_factory=dict)


def clean_text(value) -> str:
    """Return NFC text without the characters XML cannot carry."""
    return _ILLEGAL_XML.sub("", unicodedata.normalize("NFC", str(value or "")))


def item_id(uid: str | None, relative_source_path: str) -> str:
    """Return the permanent `urn:uuid:` of an article: its Id, else one derived from its file path."""
    if uid:
        return f"urn:uuid:{uuid.UUID(str(uid))}"
    path = unicodedata.normalize("NFC", relative_source_path.replace("\\", "/").lstrip("/"))
    return f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, 'article:' + path)}"


def feed_id(relative_path: str) -> str:
    """Return the permanent `urn:uuid:` of a feed from its path inside the site (no domain)."""
    return f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, 'feed:' + relative_path.lstrip('/'))}"


def absolute_url(value: str, base: str) -> str:
    """Return `value` resolved against `base` (fast paths for the usual absolute and rooted URLs)."""
    value = value.strip()
    if value.startswith(("https://", "http://", "mailto:", "tel:", "#")):
        return value
    if value.startswith("/") and not value.startswith("//"):
        split = urlsplit(base)
        return f"{split.scheme}://{split.netloc}{value}" if split.netloc else value
    return urljoin(base, value)


def _absolute_srcset(value: str, base: str) -> str:
    parts = []
    for candidate in value.split(","):
        pieces = candidate.strip().split(None, 1)
        if pieces:
            parts.append(" ".join([absolute_url(pieces[0], base), *pieces[1:]]))
    return ", ".join(parts)


def absolute_html(markup: str, base: str) -> str:
    """Sanitise HTML (same allow-list as the site) and make every link and image URL absolute."""

    def rewrite(tag, attribute, value):
        if attribute in _URL_ATTRIBUTES:
            return absolute_url(value, base)
        if attribute == "srcset":
            return _absolute_srcset(value, base)
        return value

    cleaned = nh3.clean(
        clean_text(markup),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=rewrite,
        link_rel=None,
        strip_comments=True,
    )
    return clean_text(cleaned)


def with_source(content: str, source: str, label: str) -> str:
    """Append the source credit to the content as its last paragraph."""
    if not source:
        return content
    return f'{content}\n<p class="td-source">{escape(label)}: {escape(source)}</p>'


class _PortalEntryExtension(BaseEntryExtension):
    """Write what feedgen 1.0 gets wrong or lacks: Atom links with their rel, type and length
    (feedgen drops those attributes) and an atom:updated in RSS items (RSS 2.0 has none)."""

    def __init__(self):
        self.updated = None
        self.links: list[dict] = []

    def extend_rss(self, item):
        if self.updated is not None:
            xml_elem(f"{{{ATOM_NS}}}updated", item).text = self.updated.isoformat()
        return item

    def extend_atom(self, entry):
        for attributes in self.links:
            xml_elem("link", entry, **attributes)  # feedgen writes Atom in the default namespace
        return entry


class _PortalExtension(BaseExtension):
    def extend_ns(self):
        return {}


def build_feed(
    items, spec: FeedSpec, kind: str = "rss", max_items: int | None = None, entries: dict | None = None
) -> bytes:
    """Return the RSS 2.0 (`kind="rss"`) or Atom 1.0 (`"atom"`) document, newest items first.

    The feed's updated time is the newest item's, never the clock, so equal input gives equal
    bytes.
    `entries`, a dict kept across calls, reuses each item's feedgen entry in every feed it is in.
    """
    if kind not in ("rss", "atom"):
        raise ValueError(f'feeds: unknown feed kind "{kind}"; use "rss" or "atom"')
    chosen = sorted(items, key=lambda i: (-i.published.timestamp(), i.id))
    if max_items is not None:
        chosen = chosen[:max_items]
    if not chosen:
        raise ValueError(f"feeds: {spec.self_url} has no items; an empty term gets no feed")
    generator = FeedGenerator()
    generator.load_extension("dc", atom=True, rss=True)
    generator.load_extension("media", atom=True, rss=True)
    generator.register_extension("portal", _PortalExtension, _PortalEntryExtension)
    generator.id(spec.id)
    generator.title(clean_text(spec.title))
    generator.subtitle(clean_text(spec.description))
    generator.description(clean_text(spec.description))
    generator.language(spec.language)
    generator.generator(spec.generator)
    if spec.publisher:
        generator.author({"name": clean_text(spec.publisher)})
    if kind == "atom":
        generator.link(href=spec.link, rel="alternate", type="text/html")
        generator.link(href=spec.self_url, rel="self", type="application/atom+xml")
    else:
        generator.link(href=spec.self_url, rel="self", type="application/rss+xml")
        generator.link(href=spec.link, rel="alternate")
    generator.updated(max(i.updated for i in chosen))
    for item in reversed(chosen):  # feedgen prepends: add oldest first to write newest first
        key = (id(item), kind)
        if entries is not None and key in entries:
            generator.add_entry(entries[key])  # its extensions are already loaded and filled
            continue
        entry = _add_entry(generator, item, kind)
        if entries is not None:
            entries[key] = entry
    return generator.rss_str(pretty=True) if kind == "rss" else generator.atom_str(pretty=True)


def _add_entry(generator: FeedGenerator, item: FeedItem, kind: str):
    entry = generator.add_entry()
    entry.id(item.id)
    entry.guid(item.id, permalink=False)
    entry.title(clean_text(item.title) or item.link)
    if kind == "rss":
        entry.link(href=item.link, rel="alternate")
    else:
        entry.portal.links.append({"rel": "alternate", "type": "text/html", "href": item.link})
    entry.published(item.published)
    entry.updated(item.updated)
    if item.summary:
        entry.summary(clean_text(item.summary)) if kind == "atom" else entry.description(clean_text(item.summary))
    # Atom needs content or an alternate link that feedgen can see; every item gets content.
    content = clean_text(item.content) or f"<p>{escape(clean_text(item.summary or item.title))}</p>"
    entry.content(content, type="html" if kind == "atom" else None)
    if item.author:
        if kind == "atom":
            entry.author({"name": clean_text(item.author)})
        entry.dc.dc_creator(clean_text(item.author))
    if item.source:
        entry.dc.dc_source(clean_text(item.source))
    for name, scheme in item.categories:
        name = clean_text(name)
        if kind == "atom":
            entry.category(term=name, scheme=scheme, label=name) if scheme else entry.category(term=name)
        else:
            entry.category(term=name, scheme=scheme) if scheme else entry.category(term=name)
    if item.image:
        image = item.image
        if kind == "rss":
            entry.enclosure(image.url, str(image.length), image.mime)
        else:
            link = {"rel": "enclosure", "type": image.mime, "length": str(image.length), "href": image.url}
            entry.portal.links.append(link)
        content = {"url": image.url, "fileSize": str(image.length), "type": image.mime, "medium": "image"}
        thumbnail = {"url": image.url}
        if image.width and image.height:
            content.update(width=str(image.width), height=str(image.height))
            thumbnail.update(width=str(image.width), height=str(image.height))
        entry.media.content({**content, "group": None})
        entry.media.thumbnail({**thumbnail, "group": None})
    if kind == "rss":
        entry.portal.updated = item.updated
    return entry
