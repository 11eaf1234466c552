"""Write sitemap.xml and robots.txt (pure functions)."""

from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from vntext import format_datetime_iso


@dataclass(frozen=True)
class Entry:
    """One published page: its absolute URL and when it last changed (None when unknown)."""

    loc: str
    lastmod: datetime | None


def build_sitemap(entries) -> str:
    """Return the sitemap XML of the entries, sorted by URL, one per URL."""
    unique = {entry.loc: entry for entry in entries}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for loc in sorted(unique):
        entry = unique[loc]
        lastmod = f"<lastmod>{format_datetime_iso(entry.lastmod)}</lastmod>" if entry.lastmod else ""
        lines.append(f"<url><loc>{escape(loc)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def build_robots(siteurl: str, disallow=()) -> str:
    """Return robots.txt: everything allowed except `disallow`, and the sitemap's address."""
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in disallow] or ["Disallow:"]
    lines += ["", f"Sitemap: {siteurl}/sitemap.xml"]
    return "\n".join(lines) + "\n"
