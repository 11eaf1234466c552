"""Feeds of real builds: every feed URL exists and parses, items match the pages, ids are stable."""

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest

from plugins.feeds.build import item_id
from plugins.feeds.feeds import DEFAULTS, plan_feeds
from plugins.feeds.validate import atom_problems
from tests.support import FIXTURE_SITE, ROOT, build_site

SITEURL = "https://thidua.example.test"
TAXONOMY_FOLDERS = ("chuyen-muc", "dia-phuong", "phong-trao")
# The fictional fixture articles that are published (the draft is not in any feed).
PUBLISHED_IDS = {f"urn:uuid:0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d0{n}" for n in (1, 2, 3, 4, 5, 7)}
DRAFT_ID = "urn:uuid:0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d06"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The fixture site as production builds it: absolute SITEURL, feeds on."""
    return build_site(tmp_path_factory.mktemp("feeds-site") / "output", SITEURL=SITEURL)


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """The real content/, strict, with feeds on."""
    output = tmp_path_factory.mktemp("feeds-real") / "output"
    return build_site(output, content=ROOT / "content", SITEURL=SITEURL)


def feed_files(output: Path) -> list[Path]:
    return sorted([*output.rglob("rss.xml"), *output.rglob("atom.xml")])


def term_folders(output: Path) -> list[Path]:
    """Return the first page folder of every category, locality and campaign."""
    return sorted(p.parent for name in TAXONOMY_FOLDERS for p in (output / name).glob("*/index.html"))


def parse(path: Path):
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, f"{path}: {parsed.get('bozo_exception')}"
    return parsed


def listed_links(output: Path, folder: Path) -> list[str]:
    """Return the article links of a list page and its later pages, in page order."""
    from bs4 import BeautifulSoup

    links, page = [], folder
    while True:
        soup = BeautifulSoup((page / "index.html").read_text(encoding="utf-8"), "html.parser")
        links += [urlsplit(a["href"]).path for a in soup.select("main .td-card__link")]
        after = soup.select_one('a[rel="next"]')
        if not after:
            return links
        page = output / urlsplit(after["href"]).path.strip("/")


@pytest.mark.parametrize("build_name", ["site", "real"])
def test_every_feed_url_of_the_contract_exists_and_parses_cleanly(build_name, request):
    build = request.getfixturevalue(build_name)
    output = build.output
    folders = [output, *term_folders(output), output / "bang-vang"]  # the honour roll has a feed too
    assert len(folders) > 3
    expected = sorted(folder / name for folder in folders for name in ("rss.xml", "atom.xml"))
    assert feed_files(output) == expected
    for path in expected:
        parsed = parse(path)
        assert parsed.entries, path
        assert parsed.feed.language == "vi" if path.name == "rss.xml" else parsed.feed.get("language") == "vi"
        if path.name == "atom.xml":
            assert atom_problems(path.read_bytes()) == [], path
        assert b"<?xml-stylesheet" not in path.read_bytes()  # browsers are dropping XSLT: people get theo-doi/


def test_site_feed_has_every_published_article_newest_first(site):
    for name in ("rss.xml", "atom.xml"):
        parsed = parse(site.output / name)
        ids = {e.id for e in parsed.entries}
        assert ids >= PUBLISHED_IDS and DRAFT_ID not in ids
        assert len(ids) == len(parsed.entries) == len(list(site.output.glob("tin-tuc/*/index.html")))
        published = [e.published_parsed for e in parsed.entries]
        assert published == sorted(published, reverse=True)
        assert parsed.feed.title == "Tin thi đua"


def test_term_feeds_list_the_same_articles_as_their_pages(site):
    for folder in term_folders(site.output):
        listed = listed_links(site.output, folder)[: DEFAULTS["FEEDS_MAX_ITEMS"]]
        for name in ("rss.xml", "atom.xml"):
            assert [urlsplit(e.link).path for e in parse(folder / name).entries] == listed, folder


def test_feed_titles_name_the_term_and_the_site(site):
    parsed = parse(site.output / "dia-phuong/thua-thien-hue-cu/atom.xml")
    assert parsed.feed.title == "Tỉnh Thừa Thiên Huế | Tin thi đua"
    assert parse(site.output / "phong-trao/mai-vang-truoc-ngo/rss.xml").feed.title.startswith("Phong trào Mai vàng")
    assert parsed.feed.links[-1] == {
        "href": f"{SITEURL}/dia-phuong/thua-thien-hue-cu/atom.xml",
        "rel": "self",
        "type": "application/atom+xml",
    }


def test_items_carry_dates_author_categories_source_and_absolute_urls(site):
    for name in ("rss.xml", "atom.xml"):
        entries = {e.id: e for e in parse(site.output / name).entries}
        item = entries["urn:uuid:0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d01"]
        assert item.link == f"{SITEURL}/tin-tuc/xa-thu-nghiem-phat-dong/"
        assert item.title == 'Xã thử nghiệm phát động "thi đua" & ký giao ước <năm 2025>'
        assert item.author == "Nguyễn Văn Thử (hư cấu)"
        assert item.summary == "Bài hư cấu dùng cho kiểm thử: một xã phát động phong trào thi đua năm 2025."
        assert item.published_parsed[:5] == (2025, 3, 2, 1, 30)  # 08:30 +07:00
        assert item.updated == "2025-03-05T00:00:00+07:00"
        terms = [t.term for t in item.tags]
        assert terms[0] == "Phát động phong trào" and "Huyện Tuần Giáo" in terms and len(terms) >= 5
        content = item.content[0].value
        assert "Nguồn: Trung tâm Truyền thông thử nghiệm" in content
        hostile = entries["urn:uuid:0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d05"].content[0].value
        assert f'src="{SITEURL}/anh/' in hostile  # body images are rewritten to the published variants
        assert "<script" not in hostile and "javascript:" not in hostile.lower() and "onerror" not in hostile
    raw = (site.output / "rss.xml").read_text(encoding="utf-8")
    assert "+0700</pubDate>" in raw and "<dc:source>Trung tâm Truyền thông thử nghiệm</dc:source>" in raw


def test_lead_image_is_enclosed_with_the_published_file_size_and_type(site):
    for name in ("rss.xml", "atom.xml"):
        entries = {e.id: e for e in parse(site.output / name).entries}
        with_image = entries["urn:uuid:0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d03"]
        (enclosure,) = with_image.enclosures
        served = site.output / urlsplit(enclosure.href).path.lstrip("/")
        assert enclosure.href.startswith(SITEURL + "/")
        assert int(enclosure.length) == served.stat().st_size
        assert enclosure.type == "image/jpeg"
        assert with_image.media_thumbnail[0]["url"] == enclosure.href
        assert int(with_image.media_thumbnail[0]["width"]) > 0
        assert entries["urn:uuid:0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d07"].enclosures == []


def test_real_thua_thien_hue_feed_has_the_hue_articles(real):
    parsed = parse(real.output / "dia-phuong/thua-thien-hue-cu/rss.xml")
    ids = {e.id for e in parsed.entries}
    assert "urn:uuid:b644e2ef-d462-495a-9a51-538188f5f8dd" in ids  # Thành phố Huế phát động … 2021
    assert "urn:uuid:07dd7533-624e-4de1-a101-fac1e375413a" in ids  # Cụm thi đua Bắc Trung Bộ tổng kết
    assert "Thừa Thiên Huế" in parsed.feed.title


def test_empty_term_gets_no_feed():
    class Term:
        name, url, save_as = "Trống", "dia-phuong/trong/", "dia-phuong/trong/index.html"

    settings = {**DEFAULTS, "SITENAME": "Tin thi đua"}
    plans = plan_feeds({"articles": [], "localities": [(Term(), [])], "categories": [], "campaigns": []}, settings)
    assert plans == []


def test_html_pages_advertise_their_feeds(site):
    def alternates(relative):
        return [(link["type"], link["href"]) for link in site.soup(relative).select('head link[rel="alternate"]')]

    site_feeds = [("application/rss+xml", f"{SITEURL}/rss.xml"), ("application/atom+xml", f"{SITEURL}/atom.xml")]
    assert alternates("index.html") == site_feeds
    assert alternates("the/ke-hoach/index.html") == site_feeds
    category = f"{SITEURL}/chuyen-muc/phat-dong-phong-trao/"
    own = [("application/rss+xml", category + "rss.xml"), ("application/atom+xml", category + "atom.xml")]
    assert alternates("chuyen-muc/phat-dong-phong-trao/index.html") == own + site_feeds
    assert alternates("tin-tuc/xa-thu-nghiem-phat-dong/index.html") == site_feeds + own
    assert alternates("dia-phuong/hue/index.html")[0] == ("application/rss+xml", f"{SITEURL}/dia-phuong/hue/rss.xml")
    assert alternates("phong-trao/mai-vang-truoc-ngo/index.html")[1][1].endswith(
        "/phong-trao/mai-vang-truoc-ngo/atom.xml"
    )


def test_list_pages_show_a_visible_follow_link_to_the_subscribe_page(site):
    link = site.soup("dia-phuong/hue/index.html").select_one(".td-feed-follow__link")
    assert link.get_text(" ", strip=True) == "Theo dõi qua RSS"
    assert link["href"] == f"{SITEURL}/dia-phuong/hue/theo-doi/"
    tag = site.soup("the/ke-hoach/index.html").select_one(".td-feed-follow__link")
    assert tag["href"] == f"{SITEURL}/theo-doi/"
    honours = site.soup("bang-vang/index.html").select_one(".td-feed-follow__link")
    assert honours["href"] == f"{SITEURL}/bang-vang/theo-doi/"


def test_every_feed_has_a_subscribe_page_with_its_address_and_latest_items(site):
    folders = sorted(p.parent for p in site.output.rglob("rss.xml"))
    pages = sorted(p.parent.parent for p in site.output.rglob("theo-doi/index.html"))
    assert pages == folders
    for folder in folders:
        relative = folder.relative_to(site.output).as_posix().removeprefix(".")
        prefix = f"{SITEURL}/{relative}/" if relative else f"{SITEURL}/"
        soup = site.soup(f"{relative}/theo-doi/index.html".lstrip("/"))
        main = soup.select_one("main")
        assert main.select_one("h2").get_text(strip=True) == "Nguồn tin RSS/Atom là gì?"
        assert "ứng dụng đọc tin" in main.get_text()
        addresses = [code.get_text(strip=True) for code in main.select(".td-subscribe__address")]
        assert addresses == [prefix + "rss.xml", prefix + "atom.xml"]
        entries = parse(folder / "rss.xml").entries
        shown = [urlsplit(a["href"]).path for a in main.select(".td-card__link")]
        assert shown == [urlsplit(e.link).path for e in entries[:10]], folder
        assert soup.find("link", rel="canonical")["href"] == prefix + "theo-doi/"
        advertised = [link["href"] for link in soup.select('head link[rel="alternate"]')]
        assert advertised[:2] == addresses


def _ids(output: Path) -> dict[str, set[str]]:
    return {
        str(p.relative_to(output)): {e.id for e in parse(p).entries} for p in [output / "rss.xml", output / "atom.xml"]
    }


def test_ids_survive_slug_title_date_and_domain_changes(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE / "content", content)
    no_id = content / "phat-dong-phong-trao/khong-co-id.md"
    no_id.write_text(
        "Title: Bài không có mã (hư cấu)\nDate: 2025-04-01\nCategory: Phát động phong trào\nLocalities: Hậu Giang\n\n"
        "Dữ liệu thử nghiệm hư cấu.\n",
        encoding="utf-8",
    )
    first = build_site(tmp_path / "a", content=content, SITEURL=SITEURL, DEFAULT_PAGINATION=2)
    before = _ids(first.output)
    again = build_site(tmp_path / "a2", content=content, SITEURL=SITEURL, DEFAULT_PAGINATION=2)
    for feed in feed_files(first.output):  # byte-identical rebuild: no clock in any feed
        assert feed.read_bytes() == (again.output / feed.relative_to(first.output)).read_bytes(), feed

    with_id = content / "phat-dong-phong-trao/xa-thu-nghiem-phat-dong.md"
    with_id.write_text(
        with_id.read_text(encoding="utf-8").replace("Slug: xa-thu-nghiem-phat-dong", "Slug: xa-doi-ten"),
        encoding="utf-8",
    )
    no_id.write_text(
        no_id.read_text(encoding="utf-8")
        .replace("Bài không có mã", "Bài đã đổi tên")
        .replace("2025-04-01", "2025-04-02"),
        encoding="utf-8",
    )
    second = build_site(
        tmp_path / "b",
        content=content,
        SITEURL="https://mien-moi.example.test",
        DEFAULT_PAGINATION=2,
    )
    after = _ids(second.output)
    assert after == before
    assert item_id(None, "phat-dong-phong-trao/khong-co-id.md") in before["rss.xml"]
    links = {e.link for e in parse(second.output / "rss.xml").entries}
    assert "https://mien-moi.example.test/tin-tuc/xa-doi-ten/" in links


def test_a_rebuild_builds_only_the_feeds_whose_items_changed(tmp_path, caplog):
    """Feeds listing an edited article are built again; the others are left as they are."""
    import logging
    import re

    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE / "content", content)
    options = {"SITEURL": SITEURL, "CACHE_PATH": str(tmp_path / "cache")}
    output = tmp_path / "output"

    def build() -> tuple[int, int]:
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="plugins.feeds.feeds"):
            build_site(output, content=content, DELETE_OUTPUT_DIRECTORY=False, **options)
        found = re.search(r"feeds: (\d+) feeds for \d+ articles \((\d+) built", caplog.text)
        assert found, caplog.text[-2000:]
        return int(found.group(1)), int(found.group(2))

    total, built = build()
    assert built == total > 0
    assert build() == (total, 0)
    edited = content / "hoi-nghi-tong-ket/tong-ket-cum-thi-dua.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nĐoạn bổ sung (hư cấu).\n", encoding="utf-8")
    _, built = build()
    assert 0 < built < total
    site_feed = output / "rss.xml"
    assert "Đoạn bổ sung (hư cấu)." in site_feed.read_text(encoding="utf-8")
    clean = tmp_path / "clean"
    build_site(clean, content=content, **{**options, "CACHE_PATH": str(tmp_path / "cache2")})
    for feed in feed_files(clean):
        assert feed.read_bytes() == (output / feed.relative_to(clean)).read_bytes(), feed
    site_feed.write_text("sửa tay", encoding="utf-8")  # a feed changed outside the build is built again
    assert build() == (total, 1)
    assert site_feed.read_bytes() == (clean / "rss.xml").read_bytes()
