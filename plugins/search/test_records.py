import unicodedata
from types import SimpleNamespace

import pytest

from plugins.search import names
from plugins.search.records import Record, joined_pairs, prepare_page, provinces_of, undecomposable_words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thành phố Đông Hà", ["dong"]),
        ("ĐIỆN BIÊN và Điện Biên", ["dien"]),
        (unicodedata.normalize("NFD", "Đảng bộ đoàn kết"), ["dang", "doan"]),
        ("Thừa Thiên Huế, hoà, hòa", []),
        ("", []),
    ],
)
def test_only_words_with_d_bar_need_a_folded_copy(text, expected):
    assert undecomposable_words(text) == expected


def record(**changes):
    values = dict(
        save_as="tin-tuc/x/index.html",
        url="/tin-tuc/x/",
        category="Tôn vinh điển hình",
        provinces=["Quảng Trị"],
        year="2024",
        date_text="Thứ Năm, 05/09/2024",
        localities=["Thành phố Đông Hà", "Tỉnh Quảng Trị"],
        summary="Tóm tắt",
    )
    values.update(changes)
    return Record(**values)


PAGE = (
    '<html><body><nav>menu</nav><article class="td-article"><h1>Đông Hà "khen" &amp; thưởng</h1>'
    "<p>Tóm tắt</p></article><section>Các tin khác</section></body></html>"
)


def test_prepare_page_marks_the_article_as_the_indexed_body():
    page = prepare_page(PAGE, record())
    assert '<article class="td-article" data-pagefind-body>' in page
    assert page.index("data-pagefind-body") < page.index("Đông Hà")
    assert "Các tin khác" not in page  # what surrounds the article (here the related news) is left out


def test_a_prepared_page_changes_only_with_its_article():
    # Another article's new title in the related news must not re-index this page's shard.
    elsewhere = PAGE.replace("Các tin khác", "Tin mới: Đông Hà đổi tên").replace("menu", "Trang chủ")
    assert prepare_page(elsewhere, record()) == prepare_page(PAGE, record())
    assert prepare_page(PAGE.replace("thưởng", "thưởng lớn"), record()) != prepare_page(PAGE, record())


def test_prepare_page_adds_filters_meta_and_a_low_weight_folded_copy():
    page = prepare_page(PAGE, record())
    assert '<span data-pagefind-filter="category">Tôn vinh điển hình</span>' in page
    assert '<span data-pagefind-filter="province">Quảng Trị</span>' in page
    assert '<span data-pagefind-filter="year">2024</span>' in page
    assert '<span data-pagefind-meta="locality">Thành phố Đông Hà, Tỉnh Quảng Trị</span>' in page
    assert '<p data-pagefind-weight="0.5">dong</p>' in page


def test_prepare_page_escapes_values_and_adds_a_summary_missing_from_the_body():
    page = prepare_page(PAGE, record(category='<b>"x"</b>', summary="Khác </script>"))
    assert "&lt;b&gt;&quot;x&quot;&lt;/b&gt;" in page
    assert "<p>Khác &lt;/script&gt;</p>" in page


def test_prepare_page_skips_pages_without_an_article():
    assert prepare_page("<html><body><p>x</p></body></html>", record()) is None


def test_provinces_come_from_the_level_one_unit_of_each_locality():
    province = SimpleNamespace(unit=SimpleNamespace(level=1), short_name="Quảng Trị", parents=[])
    city = SimpleNamespace(unit=SimpleNamespace(level=2), short_name="Đông Hà", parents=[province])
    assert provinces_of([city, province]) == ["Quảng Trị"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đông Hà", ["dônghà"]),
        ("phát động Hà Tĩnh", ["phátdộng", "dộnghà", "hàtĩnh"]),
        ("Hà Đông, Hà Đông", ["hàdông", "dônghà"]),
        ("Huế", []),
    ],
)
def test_joined_pairs_join_adjacent_syllables_in_order(text, expected):
    assert joined_pairs(text) == expected


@pytest.mark.parametrize(
    ("spelling", "key"),
    [("Thành phố Đông Hà", "thanhphodongha"), ("Đông Hà", "dongha"), ("Dạy tốt, học tốt", "daytothoctot")],
)
def test_names_key_folds_and_joins(spelling, key):
    assert names.key(spelling) == key


def test_unit_words_are_folded_longest_first():
    units = names.unit_words()
    assert units.index("thanh pho") < units.index("tp")
    assert "t.p" in units and "tinh" in units
