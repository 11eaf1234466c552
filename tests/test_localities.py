"""Locality pages built from the gazetteer: official names, roll-up, breadcrumbs, old↔new links."""

import pytest

from tests.support import build_site, strict_build_problems, write_article


def card_links(soup):
    return [a["href"] for a in soup.select(".td-card__title a")]


def test_province_page_rolls_up_the_articles_of_its_districts(fixture_build):
    province = fixture_build.soup("dia-phuong/dien-bien-cu/index.html")
    district = fixture_build.soup("dia-phuong/tuan-giao-dien-bien-cu/index.html")
    assert set(card_links(district)) <= set(card_links(province))
    assert [a["href"] for a in province.select(".td-locality-children a")] == ["/dia-phuong/tuan-giao-dien-bien-cu/"]


def test_district_page_shows_its_province_in_the_breadcrumbs(fixture_build):
    soup = fixture_build.soup("dia-phuong/tuan-giao-dien-bien-cu/index.html")
    crumbs = [li.get_text(strip=True) for li in soup.select(".td-breadcrumbs__item")]
    assert crumbs == ["Trang chủ", "Địa phương", "Tỉnh Điện Biên", "Huyện Tuần Giáo"]


def test_official_names_are_shown_whatever_the_article_wrote(fixture_build):
    # One fixture article writes "huyện tuần giáo; ĐIỆN BIÊN" in NFD: it still lands on this page.
    soup = fixture_build.soup("dia-phuong/tuan-giao-dien-bien-cu/index.html")
    assert soup.h1.get_text() == "Huyện Tuần Giáo"
    assert len(card_links(soup)) == 2


def test_merged_unit_and_its_successor_link_both_ways(fixture_build):
    old = fixture_build.soup("dia-phuong/thua-thien-hue-cu/index.html")
    new = fixture_build.soup("dia-phuong/hue/index.html")
    assert (
        old.select_one(".td-locality-changes").get_text(" ", strip=True)
        == "Từ 01/01/2025 địa bàn thuộc Thành phố Huế ."
    )
    assert [a["href"] for a in old.select(".td-locality-changes a")] == ["/dia-phuong/hue/"]
    assert [a["href"] for a in new.select(".td-locality-changes a")] == ["/dia-phuong/thua-thien-hue-cu/"]


def test_index_groups_provinces_by_region_with_counts(fixture_build):
    soup = fixture_build.soup("dia-phuong/index.html")
    regions = [h.get_text() for h in soup.select(".td-region__title")]
    assert regions[0] == "Trung du và miền núi phía Bắc"
    assert "Bắc Trung Bộ và duyên hải miền Trung" in regions
    text = soup.get_text(" ", strip=True)
    assert "Tỉnh Điện Biên (tồn tại đến 30/06/2025) (2 bài)" in text


ARTICLE = """Title: Tin hư cấu
Date: 2021-05-01
Category: Hội nghị tổng kết
Localities: {localities}

Bài thử nghiệm hư cấu.
"""


@pytest.mark.parametrize(
    ("localities", "expected"),
    [
        (
            "Đông Hà",
            'content/a.md:4: Địa phương "Đông Hà" chưa rõ: có thể là Thành phố Đông Hà (mã 461, Quảng Trị), Xã Đông Hà (mã 00895, Hà Giang), Xã Đông Hà (mã 23224, Bình Thuận); thêm tỉnh vào Localities hoặc ghi mã trong ngoặc, ví dụ "Đông Hà (461)"',
        ),
        (
            "Xyz Abc",
            'content/a.md:4: Địa phương "Xyz Abc" không có trong danh mục; sửa theo tên chính thức, hoặc khai báo địa danh trong data/places.toml',
        ),
    ],
)
def test_unknown_or_ambiguous_locality_fails_a_strict_build(tmp_path, localities, expected):
    write_article(tmp_path / "content", "a.md", ARTICLE.format(localities=localities))
    assert strict_build_problems(tmp_path / "content", tmp_path / "output") == [expected]


def test_homonym_told_apart_by_its_province(tmp_path):
    write_article(tmp_path / "content", "a.md", ARTICLE.format(localities="Đông Hà; Quảng Trị"))
    build = build_site(tmp_path / "output", content=tmp_path / "content")
    assert (build.output / "dia-phuong/dong-ha-quang-tri-cu/index.html").exists()


def test_home_area_resolves_an_ambiguous_name_inside_it(tmp_path):
    # A Quảng Trị portal writes "Đông Hà" for its city, as the Đông Hà source page does.
    write_article(tmp_path / "content", "a.md", ARTICLE.format(localities="Đông Hà"))
    build = build_site(tmp_path / "output", content=tmp_path / "content", LOCALITIES_HOME_AREA=["Quảng Trị"])
    assert build.problems == []
    assert (build.output / "dia-phuong/dong-ha-quang-tri-cu/index.html").exists()


def test_home_area_by_code_and_the_article_own_places_first(tmp_path):
    # The article's own province still wins over the home area: the commune in Bình Thuận.
    write_article(tmp_path / "content", "a.md", ARTICLE.format(localities="Đông Hà; Bình Thuận"))
    write_article(tmp_path / "content", "b.md", ARTICLE.format(localities="Đông Hà").replace("Tin hư cấu", "Tin khác"))
    build = build_site(tmp_path / "output", content=tmp_path / "content", LOCALITIES_HOME_AREA=["44"])
    assert build.problems == []
    assert (build.output / "dia-phuong/dong-ha-duc-linh-binh-thuan-cu/index.html").exists()
    assert (build.output / "dia-phuong/dong-ha-quang-tri-cu/index.html").exists()


def test_home_area_that_does_not_settle_a_name_keeps_the_error(tmp_path):
    # Both communes named "Đông Hà" lie in the home area: the editor must still choose.
    write_article(tmp_path / "content", "a.md", ARTICLE.format(localities="Đông Hà"))
    with pytest.raises(Exception):  # noqa: B017 - ContentErrors, checked through its lines below
        build_site(tmp_path / "output", content=tmp_path / "content", LOCALITIES_HOME_AREA=["Hà Giang", "Bình Thuận"])
    from plugins.content_checks.problems import all_problems

    assert [str(p) for p in all_problems()] == [
        'content/a.md:4: Địa phương "Đông Hà" chưa rõ: có thể là Xã Đông Hà (mã 00895, Hà Giang), Xã Đông Hà (mã 23224, Bình Thuận); thêm tỉnh vào Localities hoặc ghi mã trong ngoặc, ví dụ "Đông Hà (00895)"'
    ]


def test_home_area_naming_no_province_stops_the_build_with_the_fix(tmp_path):
    write_article(tmp_path / "content", "a.md", ARTICLE.format(localities="Quảng Trị"))
    with pytest.raises(ValueError) as raised:
        build_site(tmp_path / "output", content=tmp_path / "content", LOCALITIES_HOME_AREA=["Đông Hà"])
    assert str(raised.value) == (
        'LOCALITIES_HOME_AREA: "Đông Hà" không phải tên hay mã của một tỉnh, thành phố trực thuộc trung ương; '
        'ghi tên tỉnh (ví dụ "Quảng Trị") hoặc mã tỉnh (ví dụ "44")'
    )
