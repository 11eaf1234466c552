"""Checks of a built site before it goes live: every internal link resolves, every feed parses."""

from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

from lxml import html as lxml_html

LINK_ATTRIBUTES = ("href", "src")


def page_targets(document) -> tuple[list[str], set[str]]:
    """Return the URLs a page refers to and the ids it defines."""
    urls = [value for attribute in LINK_ATTRIBUTES for value in document.xpath(f"//@{attribute}")]
    for srcset in document.xpath("//@srcset"):
        urls += [candidate.strip().split(" ")[0] for candidate in srcset.split(",") if candidate.strip()]
    ids = set(document.xpath("//@id")) | set(document.xpath("//a/@name"))
    return urls, ids


def resolve(folder: Path, page: Path, url: str, site_prefix: str) -> tuple[Path | None, str]:
    """Return the file a same-site URL points to (None for other sites) and its fragment."""
    url, fragment = urldefrag(url)
    if site_prefix and url.startswith(site_prefix):
        url = url[len(site_prefix) :] or "/"
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None, ""
    if not parts.path:
        return page, fragment
    path = unquote(parts.path)
    target = folder / path.lstrip("/") if path.startswith("/") else page.parent / path
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, fragment


def broken_links(folder: Path, siteurl: str = "") -> list[str]:
    """Return `page: url` for every internal link or asset that does not resolve (anchors too)."""
    folder = folder.resolve()
    pages = sorted(folder.rglob("*.html"))
    parsed = {}
    for page in pages:
        parsed[page] = page_targets(lxml_html.fromstring(page.read_bytes()))
    broken = []
    for page in pages:
        for url in parsed[page][0]:
            if url.startswith(("mailto:", "tel:")):
                continue
            target, fragment = resolve(folder, page, url, siteurl.rstrip("/"))
            if target is None:
                continue
            target = target.resolve()
            if not target.is_file():
                broken.append(f"{page.relative_to(folder)}: {url}")
            elif fragment and target.suffix == ".html":
                ids = parsed[target][1] if target in parsed else set()
                if fragment not in ids:
                    broken.append(f"{page.relative_to(folder)}: {url} (không có #{fragment})")
    return broken


def broken_feeds(folder: Path) -> list[str]:
    """Return `feed: error` for every feed a reader cannot parse or that breaks RFC 4287."""
    import feedparser

    from feeds.validate import atom_problems

    problems = []
    for feed in sorted([*folder.rglob("rss.xml"), *folder.rglob("atom.xml")]):
        document = feed.read_bytes()
        result = feedparser.parse(document)
        if result.bozo:
            problems.append(f"{feed.relative_to(folder)}: {result.bozo_exception}")
        if feed.name == "atom.xml":
            problems += [f"{feed.relative_to(folder)}: {problem}" for problem in atom_problems(document)]
    return problems
