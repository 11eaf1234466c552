"""The no-JS search (issue 23): the search page's <noscript> form, answered by the real nginx with the
documented configuration and the maps the build writes, in Chromium with JavaScript off."""

import http.client
import urllib.parse

import pytest

from tests import test_deployment
from tests.support import build_site, write_article
from tests.test_search_words_browser import ARTICLES, HEAD

pytestmark = pytest.mark.browser

HA_TINH = (
    "Thành phố Hà Tĩnh ra quân (bài hư cấu)",
    "Thành phố Hà Tĩnh; Hà Tĩnh",
    "",
    "Dữ liệu hư cấu. Thành phố Hà Tĩnh ra quân thi đua.",
)
DONG_HA = "/dia-phuong/dong-ha-quang-tri-cu/"


@pytest.fixture(scope="module")
def nojs_site(tmp_path_factory):
    """The scratch site of test_search_words_browser, with Hà Tĩnh also a city, served by nginx."""
    root = tmp_path_factory.mktemp("search-nojs")
    for number, (slug, (title, localities, extra, body)) in enumerate(
        sorted({**ARTICLES, "tp-ha-tinh": HA_TINH}.items()), 1
    ):
        head = HEAD.format(
            title=title, date=f"2024-03-{number:02d}", category="Hội nghị tổng kết", localities=localities, extra=extra
        )
        write_article(root / "content", f"{slug}.md", head.replace("\n\n", "\n") + "\n" + body + "\n")
    site = build_site(root / "output", content=root / "content").output
    original = test_deployment.standalone_config

    def with_site_maps(tmp, served, port):
        """The documented configuration, its maps read from the served site instead of /var/www/thidua."""
        config = original(tmp, served, port)
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("/var/www/thidua/pagefind/", f"{served}/pagefind/"), encoding="utf-8")
        return config

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(test_deployment, "standalone_config", with_site_maps)
        with test_deployment.running_nginx(root, site) as base:
            yield base


def answer(base, path):
    """Return nginx's own answer to a GET, redirects not followed: (status, Location, body)."""
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(base).netloc, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, (response.getheader("Location") or "").removeprefix(base), response.read()
    finally:
        connection.close()


def location(base, query):
    """Return nginx's answer to the no-JS form: (status, Location)."""
    return answer(base, "/tim-kiem/?" + urllib.parse.urlencode({"tim": query}))[:2]


@pytest.mark.parametrize(
    "query",
    ["dong ha", "Đông Hà", "TP Đông Hà", "TP. Đông Hà", "thành phố đông hà", "DONG HA", "Dong Ha ", "Đông Hà"],
)
def test_nginx_sends_a_place_typed_any_way_to_its_page(nojs_site, query):
    assert location(nojs_site, query) == (302, DONG_HA)


def test_spaces_as_percent_twenty_and_a_campaign_with_its_comma(nojs_site):
    assert answer(nojs_site, "/tim-kiem/?tim=Dong%20Ha")[:2] == (302, DONG_HA)
    assert location(nojs_site, "day tot, hoc tot") == (302, "/phong-trao/day-tot-hoc-tot/")
    assert location(nojs_site, "Dạy tốt học tốt") == (302, "/phong-trao/day-tot-hoc-tot/")


def test_the_other_order_and_other_words_are_not_the_place(nojs_site):
    assert location(nojs_site, "ha dong") == (302, "/dia-phuong/ha-dong-ha-noi-cu/")
    for query in ("dong", "dong ha tinh", "phát động", "xyz"):
        assert location(nojs_site, query)[0] == 200, query


def test_js_search_keeps_its_query_and_is_never_redirected(nojs_site):
    status, _, body = answer(nojs_site, "/tim-kiem/?q=dong+ha")
    assert status == 200 and 'id="td-search-query"' in body.decode()


def test_a_name_two_places_share_gets_a_page_offering_both(nojs_site, browser):
    status, where = location(nojs_site, "ha tinh")
    assert (status, where) == (302, "/tim-kiem/noi/hatinh/")
    page = browser.new_page()
    page.goto(nojs_site + where)
    links = [(a.inner_text(), a.get_attribute("href")) for a in page.locator("main .td-link-list a").all()]
    assert links == [
        ("Tin theo địa phương: Thành phố Hà Tĩnh", "/dia-phuong/ha-tinh-ha-tinh-cu/"),
        ("Tin theo địa phương: Tỉnh Hà Tĩnh", "/dia-phuong/ha-tinh-cu/"),
    ]
    page.close()


@pytest.mark.parametrize("query", ["dong ha", "Đông Hà", "TP Đông Hà"])
def test_without_javascript_the_form_leads_to_the_place(nojs_site, browser, query):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{nojs_site}/tim-kiem/")
    assert not page.locator("#td-search-query").is_visible()  # search.js's form stays hidden
    page.get_by_label("Tên địa phương hoặc phong trào").fill(query)
    page.locator("form:has(#td-search-place)").get_by_role("button", name="Tìm").click()
    page.wait_for_load_state()
    assert page.url == nojs_site + DONG_HA
    assert page.locator("h1").inner_text() == "Thành phố Đông Hà"
    context.close()


def test_without_javascript_an_unknown_name_gets_the_search_page_and_its_links(nojs_site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{nojs_site}/tim-kiem/")
    page.get_by_label("Tên địa phương hoặc phong trào").fill("khen thưởng")
    page.locator("form:has(#td-search-place)").get_by_role("button", name="Tìm").click()
    page.wait_for_load_state()
    assert page.url.startswith(f"{nojs_site}/tim-kiem/?tim=")
    links = [a.get_attribute("href") for a in page.locator("main a").all()]
    assert {"/luu-tru/", "/dia-phuong/", "/phong-trao/"} <= set(links)
    context.close()


def test_with_javascript_the_no_js_form_is_not_shown(nojs_site, browser):
    page = browser.new_page()
    page.goto(f"{nojs_site}/tim-kiem/?tim=khen+thuong")  # a no-JS address opened with JavaScript on
    page.wait_for_function("() => document.querySelectorAll('.td-search__result').length > 0")
    assert page.locator("input[name=tim]").count() == 0
    assert page.locator("#td-search-query").input_value() == "khen thuong"
    page.close()
