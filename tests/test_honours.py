"""The honour roll on the fixture site: three localities, two years, filters, anchors, errors."""

import pytest

from tests.support import strict_build_problems, write_article


def test_honour_roll_groups_by_year_with_links(fixture_build):
    soup = fixture_build.soup("bang-vang/index.html")
    years = [h.get_text() for h in soup.select(".td-honour-year h2")]
    assert years == ["Năm 2024", "Năm 2023"]
    names = [n.get_text() for n in soup.select(".td-honourees__name")]
    assert names == ["Trần Văn Mẫu (hư cấu)", "10 cá nhân", "Lê Văn Hư Cấu", "Hợp tác xã Thử Nghiệm"]
    first = soup.select_one(".td-honourees__item")
    assert first["id"] == "tran-van-mau-hu-cau-chien-si-thi-dua-co-so-2024"
    assert [a["href"] for a in first.select("a")] == [
        "/dia-phuong/tuan-giao-dien-bien-cu/",
        "/tin-tuc/tuan-giao-trien-khai-ke-hoach-thi-dua-bai-hu-cau/",
    ]


def test_three_localities_are_linked(fixture_build):
    soup = fixture_build.soup("bang-vang/index.html")
    places = {a.get_text() for a in soup.select(".td-honourees__meta a[href^='/dia-phuong/']")}
    assert places == {"Huyện Tuần Giáo", "Thành phố Huế", "Tỉnh Thừa Thiên Huế"}


def test_static_filter_pages_by_title_and_province(fixture_build):
    by_title = fixture_build.soup("bang-vang/danh-hieu/cong-dan-tieu-bieu/index.html")
    assert [n.get_text() for n in by_title.select(".td-honourees__name")] == ["10 cá nhân", "Lê Văn Hư Cấu"]
    by_province = fixture_build.soup("bang-vang/dia-phuong/thua-thien-hue-cu/index.html")
    assert len(by_province.select(".td-honourees__item")) == 3


def test_locality_and_article_pages_show_their_honourees(fixture_build):
    locality = fixture_build.soup("dia-phuong/thua-thien-hue-cu/index.html")
    assert len(locality.select(".td-locality-honourees .td-honourees__item")) == 3
    article = fixture_build.soup("tin-tuc/ton-vinh-cong-dan-tieu-bieu-bai-hu-cau/index.html")
    assert len(article.select(".td-article__honourees .td-honourees__item")) == 3


ARTICLE = """Title: Tôn vinh hư cấu
Date: 2023-05-01
Category: Tôn vinh điển hình
Localities: Hậu Giang
Honourees:
    {line}

Bài thử nghiệm hư cấu.
"""


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Nguyễn Văn Hư Cấu | Công dân tiêu biểu",
            'content/a.md:6: dòng Honourees "Nguyễn Văn Hư Cấu | Công dân tiêu biểu" cần đủ 3 phần; viết "Tên | Danh hiệu | Địa phương"',
        ),
        (
            "Nguyễn Văn Hư Cấu | Công dân tiêu biểu | Xyz Abc",
            'content/a.md:6: Honourees: Địa phương "Xyz Abc" không có trong danh mục; sửa theo tên chính thức, hoặc khai báo địa danh trong data/places.toml',
        ),
    ],
)
def test_malformed_honouree_lines_are_errors_with_their_line(tmp_path, line, expected):
    write_article(tmp_path / "content", "a.md", ARTICLE.format(line=line))
    assert strict_build_problems(tmp_path / "content", tmp_path / "output") == [expected]


def test_the_honour_roll_has_its_own_feed(fixture_build):
    import feedparser

    for name in ("rss.xml", "atom.xml"):
        feed = feedparser.parse((fixture_build.output / "bang-vang" / name).read_bytes())
        assert feed.bozo == 0
        assert feed.feed.title.startswith("Bảng vàng")
        assert [entry.title for entry in feed.entries] == [
            "Tuần Giáo triển khai kế hoạch thi đua (bài hư cấu)",
            "Tôn vinh công dân tiêu biểu (bài hư cấu)",
        ]
    page = fixture_build.soup("bang-vang/index.html")
    assert page.select_one('link[rel="alternate"][type="application/rss+xml"]')["href"] == "/bang-vang/rss.xml"
