"""A reader follows a province to one of its districts, then to an article, in Chromium."""

import pytest

from tests.support import serve

pytestmark = pytest.mark.browser


def test_province_to_district_to_article(real_build, browser):
    with serve(real_build.output) as base:
        page = browser.new_page(viewport={"width": 375, "height": 800})
        errors = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(f"{base}/dia-phuong/")
        page.get_by_role("link", name="Tỉnh Điện Biên").click()
        assert page.locator("h1").inner_text() == "Tỉnh Điện Biên"
        page.locator(".td-locality-children").get_by_role("link", name="Huyện Tuần Giáo").click()
        assert page.url == f"{base}/dia-phuong/tuan-giao-dien-bien-cu/"
        crumbs = [text.strip() for text in page.locator(".td-breadcrumbs__item").all_inner_texts()]
        assert crumbs[-2:] == ["Tỉnh Điện Biên", "Huyện Tuần Giáo"]
        page.locator(".td-card__title a").first.click()
        assert "Tuần Giáo" in page.locator("h1").inner_text()
        assert errors == []
        page.close()
