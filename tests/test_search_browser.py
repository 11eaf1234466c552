"""Search on the built fixture site, in headless Chromium: Vietnamese with and without diacritics."""

import unicodedata

import pytest

from tests.support import build_site, serve

pytestmark = pytest.mark.browser

DONG_HA = "/tin-tuc/dong-ha-khen-thuong-tap-the-dien-hinh-bai-hu-cau/"
CONG_DAN = "/tin-tuc/ton-vinh-cong-dan-tieu-bieu-bai-hu-cau/"
HOA_THUAN = "/tin-tuc/xa-hoa-thuan-thu-nghiem-tong-ket-phong-trao-bai-hu-cau/"
DIEN_BIEN = {"/tin-tuc/xa-thu-nghiem-phat-dong/", "/tin-tuc/tuan-giao-trien-khai-ke-hoach-thi-dua-bai-hu-cau/"}


@pytest.fixture(scope="module")
def search_build(tmp_path_factory):
    """The fixture site built with search and seo. Its word index is cut into chunks of about 200 bytes
    (16 KiB on a real build) and its pages indexed in shards of 3 (200 on a real build), so that lookups
    across many chunks of a merged index are exercised as on a large site."""
    output = tmp_path_factory.mktemp("search-site") / "output"
    return build_site(output, SEARCH_CHUNK_BYTES=200, SEARCH_SHARD_PAGES=3)


@pytest.fixture(scope="module")
def search_site(search_build):
    """The fixture site served on loopback."""
    with serve(search_build.output) as base:
        yield base


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    yield page
    context.close()


def result_urls(page, base, query, extra=""):
    page.goto(f"{base}/tim-kiem/?q={query}{extra}")
    page.wait_for_function(
        "() => { const s = document.getElementById('td-search-status').textContent;"
        " return /Tìm thấy|Không tìm thấy/.test(s) && !document.getElementById('td-search-more').matches('[data-x]'); }"
    )
    page.wait_for_function(
        "() => document.getElementById('td-search-status').textContent.startsWith('Không')"
        " || document.querySelectorAll('.td-search__result').length > 0"
    )
    links = page.locator(".td-search__result-title a")
    return [href.removeprefix(base) for href in links.evaluate_all("els => els.map(e => e.href)")]


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("dong ha", {DONG_HA}),
        ("Đông Hà", {DONG_HA}),
        ("đông hà", {DONG_HA}),
        ("cong dan tieu bieu", {CONG_DAN}),
        ("Công dân tiêu biểu", {CONG_DAN}),
        (unicodedata.normalize("NFD", "công dân tiêu biểu"), {CONG_DAN}),
        ("hoà", {HOA_THUAN}),
        ("hòa", {HOA_THUAN}),
        ("hoa thuan", {HOA_THUAN}),
        ("dien bien", DIEN_BIEN),
        ("Điện Biên", DIEN_BIEN),
    ],
)
def test_query_with_or_without_diacritics_finds_the_expected_article_first(search_site, page, query, expected_first):
    urls = result_urls(page, search_site, query)
    assert urls and urls[0] in expected_first, urls
    assert page.console_errors == []


@pytest.mark.parametrize("query", ["hue", "Huế", "HUẾ", unicodedata.normalize("NFD", "Huế")])
def test_hue_finds_huế_articles_first(search_site, page, query):
    urls = result_urls(page, search_site, query)
    assert CONG_DAN in urls
    first = page.locator(".td-search__result-meta").first.inner_text()
    assert "Huế" in first


def test_dien_bien_finds_every_article_about_the_province(search_site, page):
    assert set(result_urls(page, search_site, "dien bien")) >= DIEN_BIEN


def test_result_shows_title_date_locality_and_highlighted_excerpt(search_site, page):
    result_urls(page, search_site, "dong ha")
    first = page.locator(".td-search__result").first
    assert first.locator("h2 a").inner_text().startswith("Đông Hà")
    assert "05/09/2024" in first.locator(".td-search__result-meta").inner_text()
    assert "Đông Hà" in first.locator(".td-search__result-meta").inner_text()
    assert first.locator("mark").count() >= 1
    assert "kết quả" in page.locator("#td-search-status[role=status][aria-live=polite]").inner_text()


def test_a_filter_narrows_the_results(search_site, page):
    everything = result_urls(page, search_site, "thi dua")
    narrowed = result_urls(page, search_site, "thi dua", "&year=2024")
    assert 0 < len(narrowed) < len(everything)
    assert page.locator("#td-search-year").input_value() == "2024"
    page.select_option("#td-search-year", "")
    page.select_option("#td-search-category", "Tôn vinh điển hình")
    page.wait_for_function("() => location.search.includes('category=')")
    page.wait_for_function("() => document.querySelectorAll('.td-search__result').length > 0")
    by_category = page.locator(".td-search__result-title a").evaluate_all("els => els.map(e => e.href)")
    assert 0 < len(by_category) < len(everything)
    assert page.locator("#td-search-province option").count() > 1


def test_no_query_explains_what_to_type(search_site, page):
    page.goto(f"{search_site}/tim-kiem/")
    page.wait_for_function("() => document.getElementById('td-search-status').textContent.includes('dong ha')")


def test_without_javascript_the_page_offers_archives_and_localities(search_site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{search_site}/tim-kiem/?q=dong+ha")
    text = page.locator("main").inner_text()
    assert "cần bật JavaScript" in text
    assert page.locator("main a[href='/luu-tru/']").count() == 1
    assert page.locator("main a[href='/dia-phuong/']").count() == 1
    assert not page.locator("form:has(#td-search-query)").is_visible()  # search.js's form
    assert page.locator("#td-search-place").is_visible()  # the no-JS form (tests/test_search_nojs.py)
    context.close()


def test_pagefind_loads_only_on_the_search_page_or_when_the_box_is_used(search_site, page):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{search_site}{DONG_HA}")
    page.wait_for_load_state("networkidle")
    assert not [u for u in requests if "/pagefind/" in u]
    page.focus("#td-search-input")
    page.wait_for_function(
        "() => performance.getEntriesByType('resource').some(e => e.name.includes('/pagefind/pagefind.js'))"
    )


@pytest.mark.parametrize("query", ["dong ha", "Huế", "tuan giao"])
def test_a_first_query_downloads_only_the_index_chunks_of_its_words(search_build, search_site, page, query):
    fetched = []
    page.on("response", lambda r: fetched.append(r.url))
    assert result_urls(page, search_site, query)
    chunks = [url for url in fetched if "/pagefind/index/" in url]
    # each syllable, and each pair of adjacent syllables (records.joined_pairs)
    assert 1 <= len(chunks) <= 2 * len(query.split()) - 1
    assert len(list((search_build.output / "pagefind" / "index").iterdir())) > 10 * len(chunks)
    # the panel's filters load with the panel; a query naming a place needs only the localities' filter
    assert len([url for url in fetched if "/pagefind/filter/" in url]) <= 1


def test_header_search_box_leads_to_results(search_site, page):
    page.goto(f"{search_site}/")
    page.fill("#td-search-input", "dong ha")
    page.press("#td-search-input", "Enter")
    page.wait_for_function("() => document.querySelectorAll('.td-search__result').length > 0")
    assert page.locator(".td-search__result-title a").first.get_attribute("href") == DONG_HA


def test_search_page_fits_a_375_pixel_screen(search_site, page):
    result_urls(page, search_site, "thi dua")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_search_page_with_results_has_no_axe_violations(search_site, page):
    from tests.quality import axe_violations

    result_urls(page, search_site, "dong ha")
    assert axe_violations(page) == []
