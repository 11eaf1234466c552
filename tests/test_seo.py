"""Search-engine and sharing metadata on the built fixture site."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from tests.support import build_site

SITEURL = "https://tin.example.vn"


@pytest.fixture(scope="module")
def seo_build(tmp_path_factory):
    """The fixture site built with the seo plugin and an absolute SITEURL."""
    from pelicanconf import PLUGINS

    return build_site(
        tmp_path_factory.mktemp("seo-site") / "output",
        PLUGINS=[*dict.fromkeys([*PLUGINS, "seo"])],
        SITEURL=SITEURL,
    )


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


def test_sitemap_lists_exactly_the_published_pages(seo_build):
    tree = ET.parse(seo_build.output / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = {u.findtext("s:loc", namespaces=ns) for u in tree.getroot().findall("s:url", ns)}
    expected = set()
    for path in pages(seo_build):
        relative = path.relative_to(seo_build.output).as_posix()
        if is_draft(seo_build, path) or relative == "404.html":
            continue
        expected.add(SITEURL + "/" + re.sub(r"(^|/)index\.html$", r"\1", relative))
    assert listed == expected
    assert not [u for u in listed if u.endswith((".xml", ".json")) or "ban-nhap" in u]


def test_sitemap_lastmod_comes_from_modified_then_date(seo_build):
    text = (seo_build.output / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{SITEURL}/tin-tuc/xa-thu-nghiem-phat-dong/</loc><lastmod>2025-03-05T00:00:00+07:00</lastmod>" in text
    assert (
        f"<loc>{SITEURL}/tin-tuc/tuan-giao-trien-khai-ke-hoach-thi-dua-bai-hu-cau/</loc><lastmod>2024-06-10T00:00:00+07:00</lastmod>"
        in text
    )


def test_robots_points_to_the_sitemap(seo_build):
    assert f"Sitemap: {SITEURL}/sitemap.xml" in (seo_build.output / "robots.txt").read_text(encoding="utf-8")
