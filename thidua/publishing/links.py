"""Link crawler for a built site: every href/src/srcset, CSS url() and anchor resolves.

Used by `make publish` (the new site must have no broken link before it goes live) and by the
quality gate in tests/test_quality_links.py. It only reads files; it never contacts the origin.
"""

import re
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

# A made-up origin to resolve page URLs against when the site has no absolute SITEURL.
ORIGIN = "http://site.invalid"
# The 404 page is served by the web server at any missing path, so its links must work from deep down too.
DEEP_MISSING_PATH = "/khong-co/trang/nay/"


def url_of(relative: str) -> str:
    """Return the site path a file is served at ("tin-tuc/x/index.html" -> "/tin-tuc/x/")."""
    return "/" + re.sub(r"(^|/)index\.html$", r"\1", relative)


def _parents(relative: str) -> list[str]:
    """Return the folders a file lies in ("a/b/c.html" -> ["a", "a/b"])."""
    parts = relative.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


# ---------------------------------------------------------------------------------------------
# Link crawler
# ---------------------------------------------------------------------------------------------

# rel values of <link> that make the browser fetch something (a resource, as opposed to a link).
FETCHING_RELS = {
    "stylesheet",
    "icon",
    "apple-touch-icon",
    "mask-icon",
    "preload",
    "modulepreload",
    "prefetch",
    "manifest",
}
# (tag, attribute) pairs whose URL the browser fetches while showing the page.
RESOURCE_ATTRIBUTES = {
    ("script", "src"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("iframe", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("input", "src"),
    ("use", "href"),
    ("use", "xlink:href"),
    ("image", "href"),
    ("image", "xlink:href"),
}
NAVIGATION_ATTRIBUTES = {("a", "href"), ("area", "href"), ("link", "href"), ("form", "action")}
IGNORED_SCHEMES = {"mailto", "tel", "sms", "geo"}
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""")
SVG_ID = re.compile(r"""\bid\s*=\s*["']([^"']+)["']""")


@dataclass
class Reference:
    """One URL found in an output file."""

    source: str  # relative path of the file that holds it
    where: str  # e.g. '<img srcset>' or 'url() in CSS'
    url: str
    resource: bool  # fetched while showing the page (must be same-origin), not a link to follow


@dataclass
class ParsedPage:
    """What the crawler needs from one HTML file: its ids and the URLs it references."""

    ids: set[str] = field(default_factory=set)
    references: list[Reference] = field(default_factory=list)
    base: str | None = None


def _srcset_urls(value: str) -> list[str]:
    """Return the URLs of a srcset attribute."""
    urls = []
    for candidate in value.split(","):
        parts = candidate.split()
        if parts:
            urls.append(parts[0])
    return urls


def _css_urls(text: str) -> list[str]:
    """Return the url() and @import targets of a style sheet."""
    return [next(group for group in match.groups() if group is not None) for match in CSS_URL.finditer(text)]


def parse_page(relative: str, text: str) -> ParsedPage:
    """Collect ids and referenced URLs of one HTML document (parsed once)."""
    import lxml.html
    from lxml import etree

    parsed = ParsedPage()
    if not text.strip():
        return parsed
    document = lxml.html.document_fromstring(text)
    for element in document.iter(etree.Element):
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.rsplit("}", 1)[-1].lower()
        attributes = element.attrib
        if "id" in attributes:
            parsed.ids.add(attributes["id"])
        if tag == "a" and "name" in attributes:
            parsed.ids.add(attributes["name"])
        if tag == "base" and "href" in attributes and parsed.base is None:
            parsed.base = attributes["href"]
            continue
        if tag == "style" and element.text:
            parsed.references += [Reference(relative, "url() in <style>", u, True) for u in _css_urls(element.text)]
        if tag == "meta" and attributes.get("http-equiv", "").lower() == "refresh":
            match = re.search(r"url\s*=\s*['\"]?([^'\";]+)", attributes.get("content", ""), re.I)
            if match:
                parsed.references.append(Reference(relative, "<meta refresh>", match.group(1).strip(), False))
        for name, value in attributes.items():
            name = name.lower()
            if name in ("srcset", "imagesrcset") and tag in ("img", "source", "link"):
                parsed.references += [Reference(relative, f"<{tag} {name}>", u, True) for u in _srcset_urls(value)]
            elif (tag, name) in RESOURCE_ATTRIBUTES:
                if tag == "input" and attributes.get("type", "").lower() != "image":
                    continue
                parsed.references.append(Reference(relative, f"<{tag} {name}>", value.strip(), True))
            elif (tag, name) in NAVIGATION_ATTRIBUTES:
                rels = set(attributes.get("rel", "").lower().split())
                resource = tag == "link" and bool(rels & FETCHING_RELS)
                parsed.references.append(Reference(relative, f"<{tag} {name}>", value.strip(), resource))
    return parsed


class SiteCrawler:
    """Check every href/src/srcset (and CSS url()) of an output folder resolves to a file or an id in it."""

    def __init__(self, output: Path, origin: str = ORIGIN, files: set[str] | None = None):
        self.output = output
        self.origin = origin.rstrip("/") or ORIGIN
        self._pages: dict[str, ParsedPage] = {}
        if files is not None:
            self.files = files  # already listed by the caller (a publish walks the tree once)
        # file → the site files its references resolve to, "#" appended when a fragment is
        # needed in it: a publish rechecks a page that linked to a file removed or changed.
        self.links: dict[str, set[str]] = {}
        self._checking = ""

    @cached_property
    def files(self) -> set[str]:
        return {p.relative_to(self.output).as_posix() for p in self.output.rglob("*") if p.is_file()}

    @cached_property
    def folders(self) -> set[str]:
        return {parent for relative in self.files for parent in _parents(relative)}

    def page(self, relative: str) -> ParsedPage:
        """Parse an HTML file at most once."""
        if relative not in self._pages:
            text = (self.output / relative).read_text(encoding="utf-8", errors="replace")
            self._pages[relative] = parse_page(relative, text)
        return self._pages[relative]

    def ids_of(self, relative: str) -> set[str] | None:
        """Return the fragment targets of a file (None when the file type has no ids)."""
        if relative.endswith((".html", ".htm")):
            return self.page(relative).ids
        if relative.endswith(".svg"):
            return set(SVG_ID.findall((self.output / relative).read_text(encoding="utf-8", errors="replace")))
        return None

    def problems(self, only: set[str] | None = None) -> list[str]:
        """Return one line per broken reference in the whole site (or in the files `only` names)."""
        found: list[str] = []
        for relative in sorted(self.files if only is None else only & self.files):
            self._checking = relative
            self.links[relative] = set()
            if relative.endswith((".html", ".htm")):
                parsed = self.page(relative)
                page_urls = [url_of(relative)]
                if relative == "404.html":
                    page_urls.append(DEEP_MISSING_PATH)
                for page_url in page_urls:
                    base = urljoin(self.origin + page_url, parsed.base) if parsed.base else self.origin + page_url
                    for reference in parsed.references:
                        problem = self.check(reference, base, relative)
                        if problem:
                            served = f" (served at {page_url})" if page_url == DEEP_MISSING_PATH else ""
                            found.append(f"{relative}{served}: {reference.where} {reference.url!r}: {problem}")
            elif relative.endswith(".css"):
                text = (self.output / relative).read_text(encoding="utf-8", errors="replace")
                for url in _css_urls(text):
                    if url.startswith("#"):
                        continue  # url(#id) names an SVG element of the document using the style
                    reference = Reference(relative, "url() in CSS", url, True)
                    problem = self.check(reference, f"{self.origin}/{relative}")
                    if problem:
                        found.append(f"{relative}: {reference.where} {url!r}: {problem}")
        self._checking = ""
        return found

    def check(self, reference: Reference, base: str, source: str | None = None) -> str | None:
        """Return why one reference is broken, or None."""
        url = reference.url
        if url == "" and not reference.resource:
            return None  # the page itself
        if url == "":
            return "empty URL"
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return None
        if scheme in IGNORED_SCHEMES:
            return None
        if scheme == "javascript":
            return "javascript: URL (use a real link or a button)"
        if scheme not in ("", "http", "https"):
            return f"unexpected URL scheme {scheme!r}"
        target = urlsplit(urljoin(base, url))
        if f"{target.scheme}://{target.netloc}" != self.origin:
            if reference.resource:
                return f"loads a resource from another host ({target.netloc}); serve it from the site itself"
            return None  # an external link: not crawled
        path = unquote(target.path)
        if path.endswith("/"):
            path += "index.html"
        relative = path.lstrip("/")
        if source and target.path == urlsplit(base).path:
            relative = source  # a reference to the page itself (e.g. "#main-content" on the 404 page)
        fragment = unquote(target.fragment)
        if self._checking:
            self.links[self._checking].add(sys.intern(relative + ("#" if fragment else "")))
        if relative in self.folders:
            return "links to a folder without the trailing '/' (every URL ends in '/')"
        if relative not in self.files:
            return f"no such file in the output: /{relative}"
        if not fragment or fragment.startswith(":~:"):
            return None
        ids = self.ids_of(relative)
        if ids is None:
            return f"fragment #{fragment} into a file that has no ids (/{relative})"
        if fragment not in ids and fragment.lower() != "top":
            return f"no element with id={fragment!r} in /{relative}"
        return None


def link_problems(output: Path, siteurl: str = "") -> list[str]:
    """Crawl a built site and return one line per broken internal link or missing asset."""
    return SiteCrawler(output, siteurl or ORIGIN).problems()
