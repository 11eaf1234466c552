"""Sitemap parts, the index and the news sitemap as pure functions."""

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from plugins.seo.seo import validate_settings
from plugins.seo.sitemap import NEWS_NS, SITEMAP_NS, Entry, build_index, news_part, sitemap_parts

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 1, 1, tzinfo=TZ)


def article(n: int, published: datetime) -> Entry:
    return Entry(f"https://x.vn/tin-tuc/bai-{n:05d}/", published, published, f"Bài {n}")


def urls(part) -> list[str]:
    root = etree.fromstring(part.xml.encode())
    return [u.findtext(f"{{{SITEMAP_NS}}}loc") for u in root.findall(f"{{{SITEMAP_NS}}}url")]


def test_articles_are_cut_by_year_then_in_fixed_chunks_so_a_new_article_changes_only_the_last():
    entries = [article(n, datetime(2024 + n // 7, 1, 1, tzinfo=TZ) + timedelta(days=n)) for n in range(12)]
    parts = sitemap_parts(entries, max_urls=3)
    paths = [p.path for p in parts]
    assert paths == [f"sitemaps/tin-tuc-2024-{n}.xml" for n in (1, 2, 3)] + [
        "sitemaps/tin-tuc-2025-1.xml",
        "sitemaps/tin-tuc-2025-2.xml",
    ]
    newer = sitemap_parts([*entries, article(99, datetime(2025, 6, 1, tzinfo=TZ))], max_urls=3)
    changed = [a.path for a, b in zip(parts, newer, strict=True) if a != b]
    assert changed == ["sitemaps/tin-tuc-2025-2.xml"]


def test_pages_come_first_in_url_order_and_a_part_never_passes_the_byte_limit():
    pages = [Entry(f"https://x.vn/the/{'a' * 50}-{n}/", None) for n in (3, 1, 2)]
    parts = sitemap_parts(pages, max_urls=50000, max_bytes=250)
    assert [p.path for p in parts] == ["sitemaps/trang-1.xml", "sitemaps/trang-2.xml", "sitemaps/trang-3.xml"]
    assert [urls(p) for p in parts] == [[pages[1].loc], [pages[2].loc], [pages[0].loc]]
    assert all(len(p.xml.encode()) <= 250 for p in parts)


def test_news_sitemap_keeps_two_days_newest_first_and_at_most_a_thousand():
    recent = [article(n, NOW - timedelta(minutes=n + 1)) for n in range(1200)]
    old = article(5000, NOW - timedelta(days=2, seconds=1))
    future = article(5001, NOW + timedelta(minutes=1))
    part = news_part([old, future, *recent], NOW, "Tin & thi đua")
    listed = urls(part)
    assert len(listed) == 1000 and listed[0] == recent[0].loc and old.loc not in listed and future.loc not in listed
    root = etree.fromstring(part.xml.encode())
    assert root.nsmap == {None: SITEMAP_NS, "news": NEWS_NS}
    assert root.findtext(f".//{{{NEWS_NS}}}name") == "Tin & thi đua"
    assert part.lastmod == recent[0].published
    assert news_part([old], NOW, "Tin") is None  # an empty urlset is not a valid sitemap


def test_index_lists_every_part_with_its_newest_change():
    parts = sitemap_parts([article(1, NOW - timedelta(days=400)), article(2, NOW - timedelta(days=3))])
    root = etree.fromstring(build_index(parts, "https://x.vn").encode())
    listed = [(s.findtext(f"{{{SITEMAP_NS}}}loc"), s.findtext(f"{{{SITEMAP_NS}}}lastmod")) for s in root]
    assert listed == [
        ("https://x.vn/sitemaps/tin-tuc-2024-1.xml", "2024-11-27T00:00:00+07:00"),
        ("https://x.vn/sitemaps/tin-tuc-2025-1.xml", "2025-12-29T00:00:00+07:00"),
    ]


@pytest.mark.parametrize("value", [0, 50001, "100", True])
def test_a_bad_max_urls_setting_names_itself_and_the_fix(value):
    with pytest.raises(
        ValueError, match=r"^seo: SEO_SITEMAP_MAX_URLS=.* must be a whole number from 1 to 50000, e\.g\. 50000$"
    ):
        validate_settings(SimpleNamespace(settings={"SEO_SITEMAP_MAX_URLS": value}))
