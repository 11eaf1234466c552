"""Gate: axe-core finds no WCAG 2.2 A/AA violation on the main page types, at phone and desktop widths."""

import pytest

from tests.quality import (
    WIDTHS,
    axe_violations,
    open_page,
    other_page_urls,
    require_axe,
    short_list,
    watch,
)
from tests.support import serve

PAGES = ["home", "article", "list", "locality", "archive", "search", "404"]


@pytest.mark.browser
@pytest.mark.parametrize("site", ["fixture", "real"])
@pytest.mark.parametrize("kind", PAGES)
def test_page_has_no_wcag_violation_at_phone_and_desktop_width(browser, sites, site, kind):
    try:
        require_axe()
    except RuntimeError as error:
        pytest.fail(str(error))
    base_url, output, urls = sites[site]
    found = []
    page = browser.new_page(viewport={"width": WIDTHS[0], "height": 800})
    try:
        watch(page, base_url)
        open_page(page, base_url, output, urls[kind])
        for width in WIDTHS:  # the layout follows the viewport at once (media queries, no reload)
            page.set_viewport_size({"width": width, "height": 800})
            found += [f"{width}px: {line}" for line in axe_violations(page)]
    finally:
        page.close()
    assert not found, f"axe-core violations on {site} {kind} page {urls[kind]}:\n{short_list(found)}"


@pytest.mark.browser
def test_every_other_page_type_has_no_wcag_violation(browser, fixture_build):
    """Tags, campaigns, indexes, other archives, static pages, later pages, honour roll, statistics… (fixture site)."""
    build, site = fixture_build, "fixture site"
    found = []
    with serve(build.output) as base_url:
        for kind, url in other_page_urls(build.output).items():
            page = browser.new_page(viewport={"width": WIDTHS[0], "height": 800})
            try:
                watch(page, base_url)
                open_page(page, base_url, build.output, url)
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 800})
                    found += [f"{kind} {url} at {width}px: {line}" for line in axe_violations(page)]
            finally:
                page.close()
    assert not found, f"axe-core violations in {site}:\n{short_list(found)}"


@pytest.mark.browser
def test_axe_gate_reports_a_known_violation(browser, tmp_path):
    """The gate itself works: an image without a text alternative is reported."""
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="vi"><head><title>t</title></head><body><main><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        "</main></body></html>",
        encoding="utf-8",
    )
    with serve(tmp_path) as base_url:
        page = browser.new_page()
        try:
            page.goto(base_url + "/")
            violations = axe_violations(page)
        finally:
            page.close()
    assert any(line.startswith("image-alt ") for line in violations), violations
