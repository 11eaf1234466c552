"""A citizen who opens a feed in Chromium sees a styled Vietnamese page, not raw XML."""

import feedparser
import pytest

from tests.support import build_site, serve
from tests.test_feeds import with_feeds

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The fixture site with feeds, root-relative URLs as the preview server builds it."""
    return build_site(tmp_path_factory.mktemp("feeds-browser") / "output", PLUGINS=with_feeds())


@pytest.mark.parametrize("feed", ["rss.xml", "atom.xml", "dia-phuong/thua-thien-hue-cu/rss.xml"])
def test_feed_opens_as_a_readable_page_listing_its_items(site, browser, feed):
    titles = [e.title for e in feedparser.parse((site.output / feed).read_bytes()).entries]
    with serve(site.output) as base:
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base}/{feed}")
        assert page.get_by_role("heading", name="Nguồn tin RSS là gì?").is_visible()
        text = page.locator("main").inner_text()
        for title in titles:
            assert title in text
        assert page.locator(".td-feed__item h3 a").count() == len(titles)
        assert page.locator(".td-feed__url").inner_text().endswith(feed)
        assert errors == []
        page.close()


def test_follow_link_leads_to_the_feed_page(site, browser):
    with serve(site.output) as base:
        page = browser.new_page()
        page.goto(f"{base}/dia-phuong/hue/")
        page.get_by_role("link", name="Theo dõi qua RSS").click()
        page.wait_for_url(f"{base}/dia-phuong/hue/rss.xml")
        assert page.get_by_role("heading", level=1).inner_text().startswith("Thành phố Huế")
        page.close()
