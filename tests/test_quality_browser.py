"""Browser basics on the real content: home → article → locality, with no console error and no failed request."""

import pytest

from tests.quality import open_page, watch
from tests.support import serve


@pytest.mark.browser
def test_reader_goes_from_home_to_an_article_to_its_locality_without_errors(browser, real_build):
    with serve(real_build.output) as base_url:
        page = browser.new_page()
        try:
            log = watch(page, base_url)
            open_page(page, base_url, real_build.output, "/")
            assert page.locator("main h1, main h2").count() > 0, "the home page shows no headline"

            article_link = page.locator("main a[href*='/tin-tuc/']").first
            assert article_link.count(), "the home page links to no article"
            article_link.click()
            page.wait_for_url("**/tin-tuc/*/")
            assert page.locator("main h1").count() == 1, "the article page has no single <h1>"

            locality_link = page.locator("main a[href*='/dia-phuong/']:not([href$='/dia-phuong/'])").first
            assert locality_link.count(), f"the article {page.url} links to none of its localities"
            locality_link.click()
            page.wait_for_url("**/dia-phuong/*/")
            page.wait_for_load_state("networkidle")
            assert page.locator("main h1").count() == 1, "the locality page has no single <h1>"
        finally:
            page.close()
    assert not log.console_errors, f"console errors: {log.console_errors}"
    assert not log.failed_requests, f"failed requests: {log.failed_requests}"
    assert not log.other_hosts, f"requests to other hosts: {log.other_hosts}"
