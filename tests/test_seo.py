"""Search-engine and sharing metadata on the built fixture site."""

import json
import re
import shutil
import time

import pytest
from bs4 import BeautifulSoup

from tests.support import FIXTURE_SITE, build_site, write_article

SITEURL = "https://tin.example.vn"


@pytest.fixture(scope="module")
def seo_build(tmp_path_factory):
    """The fixture site built with the seo plugin and an absolute SITEURL."""
    return build_site(tmp_path_factory.mktemp("seo-site") / "output", SITEURL=SITEURL)


def pages(build):
    return sorted(p for p in build.output.rglob("*.html") if "pagefind" not in p.parts and "theme" not in p.parts)


def json_ld(build, path):
    soup = build.soup(path.relative_to(build.output).as_posix())
    return [json.loads(s.string) for s in soup.find_all("script", type="application/ld+json")]


def is_draft(build, path):
    return path.relative_to(build.output).parts[0] == "ban-nhap"


def test_every_published_page_has_json_ld_that_parses(seo_build):
    for path in pages(seo_build):
        relative = path.relative_to(seo_build.output).as_posix()
        blocks = json_ld(seo_build, path)
        if is_draft(seo_build, path) or relative == "404.html":
            assert blocks == [], relative
            continue
        assert blocks, relative
        for block in blocks:
            assert block["@context"] == "https://schema.org"


def test_every_article_has_news_article_and_breadcrumbs(seo_build):
    articles = sorted((seo_build.output / "tin-tuc").glob("*/index.html"))
    assert len(articles) >= 6
    for path in articles:
        news, crumbs = json_ld(seo_build, path)
        assert news["@type"] == "NewsArticle"
        for field in ("headline", "datePublished", "dateModified", "author", "publisher", "contentLocation", "url"):
            assert news[field], (path, field)
        assert news["publisher"]["name"] == "Ban biên tập Tin thi đua"
        assert news["url"].startswith(SITEURL + "/tin-tuc/")
        assert crumbs["@type"] == "BreadcrumbList"
        assert [i["position"] for i in crumbs["itemListElement"]] == [1, 2, 3]
        assert crumbs["itemListElement"][-1]["item"] == news["url"]


def test_hostile_title_stays_inside_valid_json_and_attributes(seo_build):
    path = next((seo_build.output / "tin-tuc").glob("bai-co-ma-doc*/index.html"))
    html = path.read_text(encoding="utf-8")
    head = html[: html.index("</head>")]
    assert head.count("</script>") == head.count('<script type="application/ld+json">')
    news = json_ld(seo_build, path)[0]
    assert news["headline"].startswith('Bài có mã độc "</script><script>alert(1)</script>"')
    soup = seo_build.soup(path.relative_to(seo_build.output).as_posix())
    assert soup.find("meta", property="og:title")["content"] == news["headline"]


def test_article_share_tags(seo_build):
    soup = seo_build.soup("tin-tuc/hoi-nghi-tong-ket-thi-dua-cua-cum-bai-hu-cau/index.html")
    url = f"{SITEURL}/tin-tuc/hoi-nghi-tong-ket-thi-dua-cua-cum-bai-hu-cau/"
    assert soup.find("link", rel="canonical")["href"] == url
    assert soup.find("meta", property="og:url")["content"] == url
    assert soup.find("meta", property="og:type")["content"] == "article"
    assert soup.find("meta", property="og:image")["content"].startswith(SITEURL)
    assert soup.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"
    news = json_ld(seo_build, seo_build.output / "tin-tuc/hoi-nghi-tong-ket-thi-dua-cua-cum-bai-hu-cau/index.html")[0]
    assert news["image"]["url"] == soup.find("meta", property="og:image")["content"]
    names = [place["name"] for place in news["contentLocation"]]
    assert len(names) == 3
    assert "Cụm thi đua các tỉnh Bắc Trung Bộ" in names


def test_list_pages_are_collection_pages(seo_build):
    for relative in (
        "index.html",
        "chuyen-muc/hoi-nghi-tong-ket/index.html",
        "dia-phuong/index.html",
        "luu-tru/index.html",
    ):
        (block,) = json_ld(seo_build, seo_build.output / relative)
        assert block["@type"] == "CollectionPage", relative
        assert block["name"] and block["url"].startswith(SITEURL), relative
    (category,) = json_ld(seo_build, seo_build.output / "chuyen-muc/hoi-nghi-tong-ket/index.html")
    assert category["name"] == "Hội nghị tổng kết"
    assert category["mainEntity"]["itemListElement"]


def test_drafts_and_404_carry_no_metadata(seo_build):
    for path in [seo_build.output / "404.html", *(seo_build.output / "ban-nhap").rglob("index.html")]:
        html = path.read_text(encoding="utf-8")
        assert "og:" not in html and "ld+json" not in html and 'rel="canonical"' not in html, path
        assert '<meta name="robots" content="noindex">' in html


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def sitemap_parts(output):
    """Return part path → its parsed urlset, as the index at /sitemap.xml lists them."""
    from lxml import etree

    index = etree.parse(str(output / "sitemap.xml")).getroot()
    assert index.tag == f"{SITEMAP}sitemapindex"
    parts = {}
    for item in index.findall(f"{SITEMAP}sitemap"):
        path = item.findtext(f"{SITEMAP}loc").removeprefix(SITEURL + "/")
        parts[path] = etree.parse(str(output / path)).getroot()
        assert parts[path].tag == f"{SITEMAP}urlset", path
    return parts


def listed_urls(output) -> list[str]:
    return [
        url.findtext(f"{SITEMAP}loc")
        for part in sitemap_parts(output).values()
        for url in part.findall(f"{SITEMAP}url")
    ]


def test_sitemap_lists_exactly_the_published_pages(seo_build):
    listed = listed_urls(seo_build.output)
    assert len(listed) == len(set(listed))
    expected = set()
    for path in pages(seo_build):
        relative = path.relative_to(seo_build.output).as_posix()
        if is_draft(seo_build, path) or relative == "404.html" or relative.startswith("tim-kiem/noi/"):
            continue  # the no-JS search's offer pages are left out by SEO_SITEMAP_EXCLUDE (pelicanconf.py)
        expected.add(SITEURL + "/" + re.sub(r"(^|/)index\.html$", r"\1", relative))
    assert set(listed) == expected
    assert not [u for u in listed if u.endswith((".xml", ".json")) or "ban-nhap" in u]


def test_sitemap_lastmod_comes_from_modified_then_date(seo_build):
    text = "".join(p.read_text(encoding="utf-8") for p in (seo_build.output / "sitemaps").glob("*.xml"))
    assert f"<loc>{SITEURL}/tin-tuc/xa-thu-nghiem-phat-dong/</loc><lastmod>2025-03-05T00:00:00+07:00</lastmod>" in text
    assert (
        f"<loc>{SITEURL}/tin-tuc/tuan-giao-trien-khai-ke-hoach-thi-dua-bai-hu-cau/</loc><lastmod>2024-06-10T00:00:00+07:00</lastmod>"
        in text
    )


def test_robots_points_to_the_sitemap(seo_build):
    robots = (seo_build.output / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {SITEURL}/sitemap.xml" in robots
    assert "tin-moi.xml" not in robots  # nothing published in the two days before the build: no news sitemap


def article_years(output, part) -> list[int]:
    """Return the publication year of each article a part lists, from the article pages."""
    years = []
    for url in part.findall(f"{SITEMAP}url"):
        relative = url.findtext(f"{SITEMAP}loc").removeprefix(SITEURL + "/") + "index.html"
        years.append(
            int(
                BeautifulSoup((output / relative).read_text(encoding="utf-8"), "html.parser").select_one(
                    'meta[property="article:published_time"]'
                )["content"][:4]
            )
        )
    return years


@pytest.fixture(scope="module")
def small_parts_build(tmp_path_factory):
    """The fixture site with at most two URLs per sitemap part."""
    return build_site(tmp_path_factory.mktemp("seo-parts") / "output", SITEURL=SITEURL, SEO_SITEMAP_MAX_URLS=2)


def test_sitemap_index_cuts_parts_of_at_most_the_setting_in_publication_order(seo_build, small_parts_build):
    from lxml import etree

    output = small_parts_build.output
    parts = sitemap_parts(output)
    assert len(parts) > 10
    assert sorted(listed_urls(output)) == sorted(listed_urls(seo_build.output))
    index = etree.parse(str(output / "sitemap.xml")).getroot()
    for item in index.findall(f"{SITEMAP}sitemap"):
        part = parts[item.findtext(f"{SITEMAP}loc").removeprefix(SITEURL + "/")]
        urls = part.findall(f"{SITEMAP}url")
        assert 1 <= len(urls) <= 2
        dates = [u.findtext(f"{SITEMAP}lastmod") for u in urls if u.findtext(f"{SITEMAP}lastmod")]
        assert item.findtext(f"{SITEMAP}lastmod") == (max(dates) if dates else None)
    articles = [path for path in parts if path.startswith("sitemaps/tin-tuc-")]
    assert articles == [
        "sitemaps/tin-tuc-2022-1.xml",
        "sitemaps/tin-tuc-2023-1.xml",
        "sitemaps/tin-tuc-2024-1.xml",
        "sitemaps/tin-tuc-2024-2.xml",
        "sitemaps/tin-tuc-2025-1.xml",
    ]
    for path in articles:
        assert set(article_years(output, parts[path])) == {int(path.split("-")[-2])}, path
    in_2024 = [u.findtext(f"{SITEMAP}loc") for p in articles[2:4] for u in parts[p].findall(f"{SITEMAP}url")]
    assert in_2024 == [
        f"{SITEURL}/tin-tuc/hoi-nghi-tong-ket-thi-dua-cua-cum-bai-hu-cau/",  # 14 March
        f"{SITEURL}/tin-tuc/tuan-giao-trien-khai-ke-hoach-thi-dua-bai-hu-cau/",  # 10 June
        f"{SITEURL}/tin-tuc/dong-ha-khen-thuong-tap-the-dien-hinh-bai-hu-cau/",  # 5 September
    ]


def recent_article(title: str, date: str, extra: str = "") -> str:
    return (
        f"Title: {title}\nDate: {date}\nCategory: Phát động phong trào\nLocalities: Hậu Giang\n{extra}\n"
        "Dữ liệu thử nghiệm hư cấu.\n"
    )


@pytest.fixture(scope="module")
def news_build(tmp_path_factory):
    """The fixture site and four fictional articles around the pinned build date (2026-01-01 00:00)."""
    root = tmp_path_factory.mktemp("seo-news")
    content = root / "content"
    shutil.copytree(FIXTURE_SITE / "content", content)
    folder = content / "phat-dong-phong-trao"
    write_article(folder, "moi-1.md", recent_article("Tin mới đêm giao thừa & <lễ> (hư cấu)", "2025-12-31 23:00"))
    write_article(folder, "moi-2.md", recent_article("Tin hôm kia (hư cấu)", "2025-12-30 08:00"))
    write_article(folder, "cu-3.md", recent_article("Tin ba ngày trước (hư cấu)", "2025-12-29 08:00"))
    write_article(folder, "nhap-4.md", recent_article("Bản nháp mới (hư cấu)", "2025-12-31 09:00", "Status: draft\n"))
    return build_site(root / "output", content=content, SITEURL=SITEURL)


def test_news_sitemap_lists_the_articles_of_the_last_two_days(news_build):
    from lxml import etree

    output = news_build.output
    assert f"Sitemap: {SITEURL}/sitemaps/tin-moi.xml" in (output / "robots.txt").read_text(encoding="utf-8")
    index = etree.parse(str(output / "sitemap.xml")).getroot()
    listed = [item.findtext(f"{SITEMAP}loc") for item in index.findall(f"{SITEMAP}sitemap")]
    assert f"{SITEURL}/sitemaps/tin-moi.xml" in listed
    root = etree.parse(str(output / "sitemaps/tin-moi.xml")).getroot()
    assert root.tag == f"{SITEMAP}urlset" and root.nsmap == {None: SITEMAP[1:-1], "news": NEWS[1:-1]}
    urls = root.findall(f"{SITEMAP}url")
    titles = [url.findtext(f"{NEWS}news/{NEWS}title") for url in urls]
    assert titles == ["Tin mới đêm giao thừa & <lễ> (hư cấu)", "Tin hôm kia (hư cấu)"]
    for url in urls:
        assert url.findtext(f"{SITEMAP}loc").startswith(f"{SITEURL}/tin-tuc/")
        assert url.findtext(f"{NEWS}news/{NEWS}publication/{NEWS}name") == "Tin thi đua"
        assert url.findtext(f"{NEWS}news/{NEWS}publication/{NEWS}language") == "vi"
    dates = [url.findtext(f"{NEWS}news/{NEWS}publication_date") for url in urls]
    assert dates == ["2025-12-31T23:00:00+07:00", "2025-12-30T08:00:00+07:00"]


def test_an_edit_rewrites_only_the_sitemap_parts_that_changed(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE / "content", content)
    options = {"SITEURL": SITEURL, "SEO_SITEMAP_MAX_URLS": 2, "CACHE_PATH": str(tmp_path / "cache")}
    output = tmp_path / "output"
    build_site(output, content=content, DELETE_OUTPUT_DIRECTORY=False, **options)
    files = sorted([*output.glob("sitemap.xml"), *output.glob("sitemaps/*.xml")])
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in files}
    time.sleep(0.01)  # a rewrite must show in the modification time
    edited = content / "phat-dong-phong-trao/tuan-giao-nfd.md"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("Date: 2024-06-10\n", "Date: 2024-06-10\nModified: 2024-07-01\n"),
        encoding="utf-8",
    )
    build_site(output, content=content, DELETE_OUTPUT_DIRECTORY=False, **options)
    rewritten = {
        p.relative_to(output).as_posix()
        for p, (ino, mtime, _) in before.items()
        if (p.stat().st_ino, p.stat().st_mtime_ns) != (ino, mtime)
    }
    changed = {p.relative_to(output).as_posix() for p, (_, _, data) in before.items() if p.read_bytes() != data}
    assert rewritten == changed
    assert "sitemaps/tin-tuc-2024-1.xml" in changed and "sitemap.xml" in changed
    assert (
        not {
            "sitemaps/tin-tuc-2022-1.xml",
            "sitemaps/tin-tuc-2023-1.xml",
            "sitemaps/tin-tuc-2024-2.xml",
            "sitemaps/tin-tuc-2025-1.xml",
        }
        & rewritten
    )
    assert len(rewritten) < len(files) / 2
    scratch = tmp_path / "scratch"
    build_site(scratch, content=content, **{**options, "CACHE_PATH": str(tmp_path / "cache2")})
    for path in [scratch / "sitemap.xml", scratch / "robots.txt", *(scratch / "sitemaps").glob("*.xml")]:
        assert path.read_bytes() == (output / path.relative_to(scratch)).read_bytes(), path
    assert sorted(p.name for p in (output / "sitemaps").glob("*")) == sorted(
        p.name for p in (scratch / "sitemaps").glob("*")
    )
