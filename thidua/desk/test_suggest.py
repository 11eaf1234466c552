"""Suggestions, checks and preview of the article form (thidua/desk/editing.py) over HTTP, in-process.

The browser tests (tests/test_desk_form.py) run the same endpoints behind the desk's login.
"""

import unicodedata
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from thidua.desk import editing
from thidua.desk.suggest import match_terms, suggest_localities, unambiguous_name, used_terms

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_CONTENT = ROOT / "tests/fixtures/site/content"
NFD_DONG_HA = unicodedata.normalize("NFD", "Đông Hà")
ARTICLE = {
    "title": "Đông Hà phát động thi đua",
    "date": "2020-03-07T08:00",
    "category": "Phát động phong trào",
    "localities": ["Thành phố Đông Hà", "Quảng Trị"],
    "body": "Nội dung bài.",
}


@pytest.fixture(scope="module")
def site():
    return editing.load_site(str(ROOT / "pelicanconf.py"), str(FIXTURE_CONTENT))


@pytest.fixture(scope="module")
def client():
    # An app without a desk (app.state.desk): the endpoints read this checkout's pelicanconf.py and content/.
    app = Starlette(routes=[Mount("/api", app=editing.router)])
    return TestClient(app)


@pytest.mark.parametrize("typed", ["Đông Hà", NFD_DONG_HA, "dong ha", "DONG HA", "TP Đông Hà"])
def test_an_ambiguous_name_offers_every_unit_with_province_and_code(site, typed):
    found = {(s.value, s.province, s.code) for s in suggest_localities(site.gazetteer, typed, date(2020, 3, 7))}
    assert ("Thành phố Đông Hà", "Quảng Trị", "461") in found
    assert ("Phường Đông Hà (19333)", "Quảng Trị", "19333") in found
    assert ("Xã Đông Hà (23224)", "Bình Thuận", "23224") in found


def test_the_unit_word_typed_puts_that_unit_first(site):
    assert suggest_localities(site.gazetteer, "TP Đông Hà", date(2026, 1, 1))[0].value == "Thành phố Đông Hà"
    assert suggest_localities(site.gazetteer, "Phường Đông Hà", date(2020, 1, 1))[0].value == "Phường Đông Hà (19333)"


def test_each_suggested_spelling_resolves_to_its_unit_alone(site):
    for suggestion in suggest_localities(site.gazetteer, "Đông Hà", date(2026, 1, 1)):
        result = site.gazetteer.resolve([suggestion.value], date(2026, 1, 1))
        assert not result.problems and result.units[0].code == suggestion.code, suggestion


def test_a_unit_with_a_name_of_its_own_needs_no_code(site):
    unit = next(u for u in site.gazetteer.by_fold["tuan giao"] if u.kind == "Huyện")
    assert unambiguous_name(site.gazetteer, unit) == "Huyện Tuần Giáo"


def test_a_declared_place_is_suggested_by_its_name(site):
    found = suggest_localities(site.gazetteer, "cum thi dua", date(2024, 1, 1))
    assert found[0].value == "Cụm thi đua các tỉnh Bắc Trung Bộ" and found[0].code == ""


def test_campaigns_and_tags_come_from_the_content_most_used_first():
    terms = used_terms(FIXTURE_CONTENT)
    assert "Mai vàng trước ngõ" in terms.campaigns
    assert match_terms(terms.campaigns, "mai vang") == ["Mai vàng trước ngõ"]
    assert match_terms(terms.tags, "") == list(terms.tags[:10])


def test_localities_endpoint_answers_json_for_nfd_typing(client):
    reply = client.get("/api/goi-y/dia-phuong", params={"q": NFD_DONG_HA, "ngay": "2020-03-07"})
    items = reply.json()["items"]
    assert items[0] == {
        "value": "Thành phố Đông Hà",
        "name": "Thành phố Đông Hà",
        "province": "Quảng Trị",
        "code": "461",
        "period": "",
    }
    assert len({item["value"] for item in items}) == len(items)


def test_a_missing_category_is_reported_on_its_field_in_invoke_checks_words(client):
    reply = client.post("/api/kiem-tra", data={**ARTICLE, "category": ""})
    assert reply.json()["problems"] == [
        {
            "field": "category",
            "index": None,
            "line": 1,
            "severity": "error",
            "message": 'thiếu khóa bắt buộc "Category"; thêm dòng "Category: Phát động phong trào" vào phần đầu bài',
        }
    ]


def test_an_unknown_and_an_ambiguous_locality_are_reported_on_their_rows(client):
    reply = client.post("/api/kiem-tra", data={**ARTICLE, "localities": ["Quảng Trị", "Xã Đông Hà", "Xyzabc"]})
    problems = [(p["field"], p["index"], p["message"]) for p in reply.json()["problems"]]
    assert problems == [
        (
            "localities",
            1,
            'Địa phương "Xã Đông Hà" chưa rõ: có thể là Xã Đông Hà (mã 00895, Hà Giang), Xã Đông Hà (mã 23224, '
            'Bình Thuận); thêm tỉnh vào Localities hoặc ghi mã trong ngoặc, ví dụ "Đông Hà (00895)"',
        ),
        (
            "localities",
            2,
            'Địa phương "Xyzabc" không có trong danh mục; sửa theo tên chính thức, hoặc khai báo địa danh trong '
            "data/places.toml",
        ),
    ]


def test_a_lead_image_needs_its_alt_text_and_caption_and_a_missing_file_is_reported(client):
    reply = client.post("/api/kiem-tra", data={**ARTICLE, "image": "images/khong-co.jpg"})
    assert [(p["field"], p["severity"], p["message"]) for p in reply.json()["problems"]] == [
        (
            "image",
            "error",
            'ảnh "images/khong-co.jpg" không tồn tại; kiểm tra tên tệp trong content/images/ hoặc sửa dòng Image',
        ),
        (
            "image_alt",
            "warning",
            'ảnh "images/khong-co.jpg" thiếu mô tả thay thế (Image_alt); '
            "thêm dòng Image_alt: mô tả ngắn nội dung ảnh cho người không xem được ảnh",
        ),
        (
            "image_caption",
            "warning",
            "ảnh đại diện chưa có chú thích (Image_caption); viết chú thích hiện dưới ảnh, "
            'ảnh không chụp tại sự kiện ghi "Ảnh minh họa"',
        ),
    ]


def test_a_published_article_dated_later_is_noted_as_scheduled(client):
    reply = client.post("/api/kiem-tra", data={**ARTICLE, "date": "2999-01-01T07:00", "status": "published"})
    [note] = reply.json()["problems"]
    assert (note["field"], note["severity"]) == ("date", "info")
    assert note["message"].startswith("hẹn giờ đăng lúc ")


def test_a_good_article_has_no_problem(client):
    assert client.post("/api/kiem-tra", data=ARTICLE).json() == {"problems": []}


def test_the_preview_is_the_article_page_of_the_theme_without_any_script_from_the_fields(client):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    form = {**ARTICLE, "title": "Tin " + hostile, "summary": hostile, "body": "Đoạn **đậm**.\n\n" + hostile}
    reply = client.post("/api/xem-truoc", data=form)
    assert reply.status_code == 200
    assert "sandbox" in reply.headers["content-security-policy"]
    page = BeautifulSoup(reply.text, "html.parser")
    assert page.select_one("h1.td-article__title").get_text() == "Tin " + hostile
    assert page.select_one(".td-article__body strong").get_text() == "đậm"
    assert not [s for s in page.find_all("script") if not s.get("src")]  # the theme's own files only
    assert not page.select("[onerror]")
    assert [a.get_text() for a in page.select(".td-terms__link")][:2] == ["Thành phố Đông Hà", "Tỉnh Quảng Trị"]
    assert page.select_one("link[rel=stylesheet]")["href"] == "/api/xem-truoc/giao-dien.css"


def test_the_preview_stylesheet_is_the_theme_bundle(client):
    reply = client.get("/api/xem-truoc/giao-dien.css")
    assert reply.status_code == 200 and "/* 00-tokens.css */" in reply.text


def test_images_are_served_by_name_only(client):
    assert client.get("/api/anh/..%2Fpelicanconf.py").status_code == 404
    assert client.get("/api/anh/khong-co.jpg").status_code == 404


HEADER = "Title: Thử\nDate: 2020-03-07 08:00\nCategory: Phát động phong trào\n"
SAME_AS_INVOKE_CHECK = [
    HEADER + "Localities: Xã Đông Hà; Quảng Trị\n\nNội dung.\n",  # ambiguous, then unknown, localities
    HEADER + "Localities: Đông Hà; Quảng Trị; Xyzabc\n\nNội dung.\n",
    HEADER + "Localities: Quảng Trị\nHonourees: Lê Văn A | Công dân tiêu biểu | Xyzabc\n\nNội dung.\n",
    HEADER + "Localities: Quảng Trị\nImage: images/khong-co.jpg\nImage_alt: Ảnh\nImage_caption: Ảnh\n\nNội dung.\n",
    "Title: Thử\nDate: 2999-01-01 08:00\nCategory: Phát động phong trào\nLocalities: Huế\n\nNội dung.\n",
    "Title: Thử\nDate: 14/03/2024\nLocalities: Huế\nTittle: x\nHonourees: A | B\nId: 123\nSlug: Thử\n\n",
]


@pytest.mark.parametrize("text", SAME_AS_INVOKE_CHECK)
def test_the_form_reports_what_invoke_check_reports_in_the_same_words_and_lines(site, text, tmp_path):
    from plugins.content_checks.runner import check_site

    article = tmp_path / "content/phat-dong-phong-trao/thu.md"
    article.parent.mkdir(parents=True)
    article.write_text(text, encoding="utf-8")
    (tmp_path / "content/images").mkdir()
    by_check = {
        (p.line, f"{p.message}; {p.fix}")
        for p in check_site(str(ROOT / "pelicanconf.py"), {"PATH": str(article.parents[1])})
    }
    by_form = {(p["line"], p["message"]) for p in editing.check_text(site, text)}
    assert by_check == by_form
