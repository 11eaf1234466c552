"""Search that finds what a Vietnamese reader means (issue 23), in headless Chromium.

A scratch site of fictional articles whose syllables collide once folded: Đông Hà (the city, as a
locality, and only in the text), Hà Đông, "phát động Hà Tĩnh" (động hà → dong ha) and "đồng chí".
"""

import unicodedata

import pytest

from tests.support import build_site, serve, write_article

pytestmark = pytest.mark.browser

HEAD = "Title: {title}\nDate: {date}\nCategory: {category}\nLocalities: {localities}\n{extra}\n"
ARTICLES = {
    "dong-ha-le-phat-dong": (
        "Thành phố Đông Hà ra quân thi đua (bài hư cấu)",
        "Thành phố Đông Hà; Quảng Trị",
        "Campaigns: Dạy tốt, học tốt\n",
        "Dữ liệu hư cấu. Thành phố Đông Hà tổ chức lễ ra quân thi đua dạy tốt, học tốt. "
        "Các trường học ở Đông Hà ký giao ước thi đua.",
    ),
    "dong-ha-tong-ket": (
        "Tổng kết năm học ở thành phố (bài hư cấu)",
        "TP. Đông Hà; Quảng Trị",
        "",
        "Dữ liệu hư cấu. Hội nghị tổng kết năm học có nhiều trường tham dự. "
        + "Phong trào được duy trì đều đặn. " * 30,
    ),
    "doan-cong-tac-tham": (
        "Đoàn công tác tỉnh thăm các trường (bài hư cấu)",
        "Quảng Trị",
        "",
        "Dữ liệu hư cấu. "
        + "Mùa đông năm nay, đoàn công tác của tỉnh đến thăm nhiều nơi; phía đông có sông, phía tây có núi. " * 40
        + "Cuối chuyến đi, đoàn dừng lại ở Đông Hà.",
    ),
    "ha-dong-tong-ket": (
        "Quận Hà Đông tổng kết phong trào (bài hư cấu)",
        "Quận Hà Đông; Hà Nội",
        "",
        "Dữ liệu hư cấu. Quận Hà Đông tổng kết phong trào thi đua. Hà Đông có nhiều mô hình hay ở phía đông.",
    ),
    "ha-tinh-phat-dong": (
        "Hà Tĩnh phát động thi đua (bài hư cấu)",
        "Hà Tĩnh",
        "",
        "Dữ liệu hư cấu. Ban Thi đua phát động Hà Tĩnh thi đua. Phát động phong trào, phát động thi đua "
        "và phát động giao ước được tổ chức ở Hà Tĩnh.",
    ),
    "dong-chi-khen-thuong": (
        "Khen thưởng đồng chí Lê Thị Hà (bài hư cấu)",
        "Quảng Bình",
        "Honourees:\n    Lê Thị Hà | Chiến sĩ thi đua cơ sở | Quảng Bình\n",
        "Dữ liệu hư cấu. Đồng chí Lê Thị Hà được khen thưởng. Các đồng chí trong đơn vị đồng lòng thi đua.",
    ),
}
DONG_HA_PLACE = {
    "/tin-tuc/thanh-pho-dong-ha-ra-quan-thi-dua-bai-hu-cau/",
    "/tin-tuc/tong-ket-nam-hoc-o-thanh-pho-bai-hu-cau/",
}
DONG_HA_TEXT = "/tin-tuc/doan-cong-tac-tinh-tham-cac-truong-bai-hu-cau/"
HA_DONG = "/tin-tuc/quan-ha-dong-tong-ket-phong-trao-bai-hu-cau/"
PHAT_DONG = "/tin-tuc/ha-tinh-phat-dong-thi-dua-bai-hu-cau/"
DONG_CHI = "/tin-tuc/khen-thuong-dong-chi-le-thi-ha-bai-hu-cau/"


@pytest.fixture(scope="module")
def words_site(tmp_path_factory):
    """The scratch site, its word index in tiny chunks with every large word capped to one position
    per page (as common words are on a large site), served on loopback."""
    root = tmp_path_factory.mktemp("search-words")
    for number, (slug, (title, localities, extra, body)) in enumerate(sorted(ARTICLES.items()), 1):
        category = "Phát động phong trào" if "phat-dong" in slug else "Hội nghị tổng kết"
        head = HEAD.format(
            title=title, date=f"2024-03-{number:02d}", category=category, localities=localities, extra=extra
        )
        write_article(root / "content", f"{slug}.md", head.replace("\n\n", "\n") + "\n" + body + "\n")
    build = build_site(
        root / "output",
        content=root / "content",
        SEARCH_CHUNK_BYTES=200,
        SEARCH_SHARD_PAGES=2,
        SEARCH_COMMON_WORD_SHARE=0.1,
        SEARCH_COMMON_WORD_LOCATIONS=1,
    )
    with serve(build.output) as base:
        yield base


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    yield page
    assert page.console_errors == []
    context.close()


def results(page, base, query):
    page.goto(f"{base}/tim-kiem/?" + __import__("urllib.parse").parse.urlencode({"q": query}))
    page.wait_for_function(
        "() => /Tìm thấy|Không tìm thấy/.test(document.getElementById('td-search-status').textContent)"
    )
    page.wait_for_function(
        "() => document.getElementById('td-search-status').textContent.startsWith('Không')"
        " || document.querySelectorAll('.td-search__result').length > 0"
    )
    return [
        href.removeprefix(base)
        for href in page.locator(".td-search__result-title a").evaluate_all("els => els.map(e => e.href)")
    ]


def places_offered(page):
    return [(a.inner_text(), a.get_attribute("href")) for a in page.locator("#td-search-places a").all()]


@pytest.mark.parametrize(
    "query",
    [
        "dong ha",
        "Đông Hà",
        "đông hà",
        "DONG HA",
        "TP Đông Hà",
        "thành phố đông hà",
        unicodedata.normalize("NFD", "Đông Hà"),
    ],
)
def test_a_place_query_lists_the_place_then_its_name_in_text_then_the_syllables(words_site, page, query):
    urls = results(page, words_site, query)
    assert set(urls[:2]) == DONG_HA_PLACE, urls
    assert urls[2] == DONG_HA_TEXT, urls
    assert places_offered(page) == [("Tin theo địa phương: Thành phố Đông Hà", "/dia-phuong/dong-ha-quang-tri-cu/")]


@pytest.mark.parametrize("query", ["Đông Hà", "dong ha"])
def test_động_hà_đồng_chí_and_hà_đông_rank_below_đông_hà(words_site, page, query):
    urls = results(page, words_site, query)
    for other in (PHAT_DONG, HA_DONG, DONG_CHI):
        if other in urls:
            assert urls.index(other) > urls.index(DONG_HA_TEXT), urls


def test_syllables_in_the_other_order_are_another_place(words_site, page):
    urls = results(page, words_site, "ha dong")
    assert urls[0] == HA_DONG, urls
    assert places_offered(page) == [("Tin theo địa phương: Quận Hà Đông", "/dia-phuong/ha-dong-ha-noi-cu/")]


@pytest.mark.parametrize("query", ['"Đông Hà"', '"dong ha"', "“đông hà”"])
def test_a_quoted_phrase_finds_every_page_with_it_though_common_words_are_capped(words_site, page, query):
    urls = results(page, words_site, query)
    assert set(urls[:3]) == {*DONG_HA_PLACE, DONG_HA_TEXT}, urls
    assert HA_DONG not in urls and DONG_CHI not in urls
    # "phát động Hà Tĩnh" holds "dong ha" once folded: found by the folded phrase, never before the place
    assert set(urls) <= {*DONG_HA_PLACE, DONG_HA_TEXT, PHAT_DONG}


def test_a_quoted_phrase_of_three_syllables_needs_them_together(words_site, page):
    assert results(page, words_site, '"phat dong ha"') == [PHAT_DONG]
    assert results(page, words_site, '"đồng chí lê"') == [DONG_CHI]
    assert results(page, words_site, '"chí đồng"') == []


def test_the_excerpt_shows_the_phrase_the_page_was_found_by(words_site, page):
    urls = results(page, words_site, '"dong ha"')
    item = page.locator(".td-search__result").nth(urls.index(DONG_HA_TEXT))
    assert item.locator("mark").first.inner_text() == "Đông Hà"


def test_a_campaign_query_offers_the_campaign_and_lists_its_articles_first(words_site, page):
    urls = results(page, words_site, "day tot hoc tot")
    assert urls[0] == "/tin-tuc/thanh-pho-dong-ha-ra-quan-thi-dua-bai-hu-cau/"
    assert places_offered(page) == [("Tin theo phong trào: Dạy tốt, học tốt", "/phong-trao/day-tot-hoc-tot/")]


@pytest.mark.parametrize("query", ["le thi ha", "Lê Thị Hà"])
def test_a_person_is_found_by_name(words_site, page, query):
    assert results(page, words_site, query)[0] == DONG_CHI


def test_a_single_syllable_query_is_unchanged(words_site, page):
    assert set(results(page, words_site, "đồng")) >= {DONG_CHI}
    assert places_offered(page) == []


def test_without_javascript_the_page_leads_to_places_and_campaigns(words_site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{words_site}/tim-kiem/?q=dong+ha")
    links = [a.get_attribute("href") for a in page.locator("main noscript ~ * a, main a").all()]
    assert {"/luu-tru/", "/dia-phuong/", "/phong-trao/"} <= set(links)
    context.close()
