"""Gate: keyboard-only use: the skip link comes first and moves focus to the main content; the search box is reachable."""

import pytest

from tests.quality import WIDTHS, open_page, watch

MAX_TABS = 40  # the header search box sits before the navigation, so it must come well within this
FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const box = e.getBoundingClientRect();
    const style = getComputedStyle(e);
    return {tag: e.tagName.toLowerCase(), id: e.id, href: e.getAttribute('href'), type: e.getAttribute('type'),
            inHeader: !!e.closest('header'), inSearch: !!e.closest('[role=search], search'),
            visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
                     && box.top < innerHeight && box.left < innerWidth && style.visibility !== 'hidden',
            indicated: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none'};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("site", ["fixture", "real"])
@pytest.mark.parametrize("kind", ["home", "article"])
@pytest.mark.parametrize("width", WIDTHS)
def test_tab_reaches_skip_link_then_main_content_then_search_box(browser, sites, site, kind, width):
    base_url, output, urls = sites[site]
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        watch(page, base_url)
        open_page(page, base_url, output, urls[kind])

        page.keyboard.press("Tab")
        first = page.evaluate(FOCUSED)
        assert first and first["tag"] == "a" and first["href"] == "#main-content", (
            f"first Tab focused {first}, not the skip link"
        )
        assert first["visible"], "the skip link is not visible when it has focus"
        assert first["indicated"], "the focused skip link has no visible focus indicator (outline or box-shadow)"

        page.keyboard.press("Enter")
        landed = page.evaluate(FOCUSED)
        assert landed and landed["id"] == "main-content", f"Enter on the skip link focused {landed}, not #main-content"

        page.evaluate(
            "() => { document.activeElement.blur(); window.scrollTo(0, 0); history.replaceState(null, '', location.pathname); }"
        )
        open_page(page, base_url, output, urls[kind])
        for _ in range(MAX_TABS):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED)
            if focused and focused["tag"] == "input" and focused["inHeader"] and focused["inSearch"]:
                break
        else:
            pytest.fail(f"the header search box was not reached within {MAX_TABS} presses of Tab")
        assert focused["visible"], "the search box is not visible when it has focus"
        assert focused["indicated"], "the focused search box has no visible focus indicator (outline or box-shadow)"
    finally:
        page.close()
