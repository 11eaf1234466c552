import json
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from plugins.seo.metadata import absolute_url, image_of, json_for_script, news_article
from plugins.seo.sitemap import Entry, build_robots, sitemap_parts

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('a "b"', '"a \\"b\\""'),
        ("</script><script>", '"\\u003c/script\\u003e\\u003cscript\\u003e"'),
        ("x & y", '"x \\u0026 y"'),
        ("<!-- c -->", '"\\u003c!-- c --\\u003e"'),
        ("dòng\u2028mới", '"dòng\\u2028mới"'),
    ],
)
def test_json_for_script_escapes_what_could_end_the_script(value, expected):
    text = json_for_script(value)
    assert text == expected
    assert json.loads(text) == value


@pytest.mark.parametrize(
    ("siteurl", "url", "expected"),
    [
        ("https://x.vn", "tin-tuc/a/", "https://x.vn/tin-tuc/a/"),
        ("https://x.vn", "index.html", "https://x.vn/"),
        ("https://x.vn", "luu-tru/index.html", "https://x.vn/luu-tru/"),
        ("", "tin-tuc/a/", "/tin-tuc/a/"),
        ("https://x.vn", "https://cdn.vn/a.jpg", "https://cdn.vn/a.jpg"),
    ],
)
def test_absolute_url(siteurl, url, expected):
    assert absolute_url(siteurl, url) == expected


def article(**changes):
    values = dict(
        title='Tiêu đề "lạ" </script>',
        url="tin-tuc/a/",
        description="Mô tả",
        date=datetime(2024, 3, 14, 9, 0, tzinfo=VN),
        modified=datetime(2024, 3, 15, 0, 0, tzinfo=VN),
        category=SimpleNamespace(name="Hội nghị tổng kết", url="chuyen-muc/hoi-nghi-tong-ket/"),
        author=SimpleNamespace(name="Trần Thị Mẫu"),
        localities=[SimpleNamespace(name="Tỉnh Quảng Trị", url="dia-phuong/quang-tri/")],
        campaigns=[],
        tags=[],
        og_image=None,
        image=None,
    )
    values.update(changes)
    return SimpleNamespace(**values)


SETTINGS = {"SITEURL": "https://x.vn", "PUBLISHER": "Ban biên tập", "SITENAME": "Tin thi đua"}


def test_news_article_has_the_fields_search_engines_need():
    data = news_article(article(), SETTINGS)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == 'Tiêu đề "lạ" </script>'
    assert data["datePublished"] == "2024-03-14T09:00:00+07:00"
    assert data["dateModified"] == "2024-03-15T00:00:00+07:00"
    assert data["author"] == {"@type": "Person", "name": "Trần Thị Mẫu"}
    assert data["publisher"]["name"] == "Ban biên tập"
    assert data["contentLocation"] == [
        {"@type": "Place", "name": "Tỉnh Quảng Trị", "url": "https://x.vn/dia-phuong/quang-tri/"}
    ]
    assert data["url"] == "https://x.vn/tin-tuc/a/"
    assert "image" not in data


def test_share_image_prefers_the_open_graph_card_then_the_lead_image():
    og = {"url": "https://x.vn/images/og.jpg", "width": 1200, "height": 630, "alt": "Ảnh"}
    assert image_of(article(og_image=og, image="images/a.jpg"), "https://x.vn") == og
    lead = image_of(article(image="images/a.jpg", image_alt="A"), "https://x.vn")
    assert lead == {"url": "https://x.vn/images/a.jpg", "width": None, "height": None, "alt": "A"}
    assert image_of(article(), "https://x.vn") is None


def test_sitemap_is_sorted_unique_and_escaped_with_lastmod_when_known():
    day = datetime(2024, 1, 2, tzinfo=VN)
    (part,) = sitemap_parts(
        [Entry("https://x.vn/b/?a&b", day), Entry("https://x.vn/a/", None), Entry("https://x.vn/a/", None)]
    )
    xml = part.xml
    assert xml.count("<url>") == 2
    assert xml.index("/a/") < xml.index("/b/")
    assert "<loc>https://x.vn/b/?a&amp;b</loc><lastmod>2024-01-02T00:00:00+07:00</lastmod>" in xml
    assert "<url><loc>https://x.vn/a/</loc></url>" in xml


def test_robots_points_to_the_sitemap():
    assert (
        build_robots("https://x.vn", ["/ban-nhap/"])
        == "User-agent: *\nDisallow: /ban-nhap/\n\nSitemap: https://x.vn/sitemap.xml\n"
    )
    assert "Disallow:\n" in build_robots("https://x.vn")
