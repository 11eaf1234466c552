"""A citizen who clicks "Theo dõi qua RSS" in a Chromium without XSLT gets a readable Vietnamese
page: what a feed is, the address to copy and the latest items (Chromium is removing XSLT)."""

import re

import feedparser
import pytest

from tests.quality import WIDTHS, axe_violations, watch
from tests.support import CHROMIUM, CHROMIUM_ARGS, build_site, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The fixture site with feeds, root-relative URLs as the preview server builds it."""
    return build_site(tmp_path_factory.mktemp("feeds-browser") / "output")


@pytest.fixture(scope="module")
def no_xslt(browser):
    """Debian's Chromium with XSLT switched off, as it ships once XSLT is removed (launched by the
    session's Playwright: there is one per process)."""
    launched = browser.browser_type.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--disable-features=XSLT"])
    try:
        yield launched
    finally:
        launched.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize(
    ("start", "feed"),
    [("dia-phuong/hue/", "dia-phuong/hue/rss.xml"), ("the/ke-hoach/", "rss.xml"), ("bang-vang/", "bang-vang/rss.xml")],
)
def test_follow_link_leads_to_a_readable_subscribe_page_without_xslt(site, no_xslt, javascript, start, feed):
    titles = [e.title for e in feedparser.parse((site.output / feed).read_bytes()).entries][:10]
    with serve(site.output) as base:
        context = no_xslt.new_context(java_script_enabled=javascript)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base}/{start}")
        if javascript:
            assert page.evaluate("typeof XSLTProcessor") == "undefined"  # XSLT really is unavailable
        page.get_by_role("link", name=re.compile(r"^Theo dõi (tin mới của toàn trang )?qua RSS$")).click()
        page.wait_for_url(f"{base}/{feed.removesuffix('rss.xml')}theo-doi/")
        assert page.get_by_role("heading", name="Nguồn tin RSS/Atom là gì?").is_visible()
        assert page.get_by_role("heading", name="Cách theo dõi").is_visible()
        assert page.locator(".td-subscribe__address").first.inner_text() == f"/{feed}"
        cards = page.locator("main .td-card__link")
        assert cards.all_inner_texts() == titles
        assert errors == []
        context.close()


def test_subscribe_page_has_no_wcag_violation_at_phone_and_desktop_width(site, no_xslt):
    with serve(site.output) as base:
        page = no_xslt.new_page(viewport={"width": WIDTHS[0], "height": 800})
        watch(page, base)
        assert page.goto(f"{base}/dia-phuong/hue/theo-doi/").ok
        found = []
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            found += [f"{width}px: {line}" for line in axe_violations(page)]
        page.close()
    assert found == []
