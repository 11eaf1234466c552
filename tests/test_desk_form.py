"""The article form in Debian's Chromium, against the desk served by uvicorn as `invoke desk` serves it.

An editor logs in, types a decomposed (NFD) "Đông Hà", picks "Thành phố Đông Hà" out of the
ambiguous name with the keyboard, sees the title in the live preview and the missing category's
message beside its field; axe-core finds nothing; script typed into every field never runs. The
screenshots of docs/editor-guide.md are written here, from the fixture site only.
"""

import unicodedata

import pytest

from tests.quality import axe_violations
from tests.support import ROOT
from tests.test_desk_core import Client, desk_server, make_project

NFD_DONG_HA = unicodedata.normalize("NFD", "Đông Hà")
HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>" onfocus="alert(3)'
IMAGES = ROOT / "docs/images"
CATEGORY_MISSING = 'thiếu khóa bắt buộc "Category"; thêm dòng "Category: Phát động phong trào" vào phần đầu bài'


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("desk-form") / "site")
    with desk_server(project) as base:
        yield project, base


def logged_in(browser, base: str, **options):
    """Return a browser context with the editor's session (the login page is the core's to test)."""
    client = Client(base)
    assert client.log_in("ly").status == 303
    context = browser.new_context(locale="vi-VN", **options)
    context.add_cookies([{"name": c.name, "value": c.value, "url": base} for c in client.jar])
    return context


@pytest.fixture
def page(desk, browser):
    _, base = desk
    context = logged_in(browser, base, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.dialogs = []
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.base = base
    yield tab
    context.close()


def open_new_article(page):
    page.goto(page.base + "/bai-viet/moi")
    page.wait_for_selector("#localities-0[role=combobox]")  # the script has enhanced the form


def preview_heading(page) -> str:
    frame = page.frame_locator("#td-desk-edit-preview-frame")
    return frame.locator("h1.td-article__title").inner_text()


def test_an_nfd_locality_offers_the_ambiguous_places_and_the_keyboard_picks_one(page):
    open_new_article(page)
    page.fill("#title", "Đông Hà phát động phong trào thi đua năm 2020")
    page.fill("#date", "2020-03-07T08:00")
    field = page.locator("#localities-0")
    field.press_sequentially(NFD_DONG_HA)
    listbox = page.locator("#" + field.get_attribute("aria-controls"))
    listbox.locator("[role=option]", has_text="Phường Đông Hà").wait_for()
    assert field.get_attribute("aria-expanded") == "true"
    options = listbox.locator("[role=option]").all_inner_texts()
    assert "Thành phố Đông Hà — Quảng Trị · mã 461" in options
    assert any(o.startswith("Phường Đông Hà — Quảng Trị · mã 19333") for o in options), options
    for _ in range(len(options)):
        field.press("ArrowDown")
        active = page.locator("#" + field.get_attribute("aria-activedescendant"))
        if active.inner_text().startswith("Thành phố Đông Hà"):
            break
    assert active.get_attribute("aria-selected") == "true"
    field.press("Enter")
    assert field.input_value() == "Thành phố Đông Hà"
    assert field.get_attribute("aria-expanded") == "false"

    page.locator("#td-desk-edit-preview-frame").scroll_into_view_if_needed()
    page.wait_for_function(
        "() => (document.getElementById('td-desk-edit-preview-frame').srcdoc || '').includes('td-terms__link')"
    )
    assert preview_heading(page) == "Đông Hà phát động phong trào thi đua năm 2020"
    terms = page.frame_locator("#td-desk-edit-preview-frame").locator(".td-terms__link").all_inner_texts()
    assert terms == ["Thành phố Đông Hà"]

    error = page.locator("#category-error")
    error.wait_for(state="visible")
    assert error.inner_text() == CATEGORY_MISSING
    assert "category-error" in page.get_attribute("#category", "aria-describedby")
    assert page.get_attribute("#category", "aria-invalid") == "true"
    assert CATEGORY_MISSING in page.locator("#td-desk-edit-problems").inner_text()
    IMAGES.mkdir(exist_ok=True)
    page.locator("#date").evaluate("e => window.scrollTo(0, e.closest('fieldset').offsetTop)")
    page.mouse.move(0, 0)
    page.screenshot(path=str(IMAGES / "desk-form.png"))

    page.select_option("#category", "Phát động phong trào")
    error.wait_for(state="hidden")
    assert page.get_attribute("#category", "aria-invalid") is None
    assert page.errors == []


def test_the_suggestions_screenshot(page):
    open_new_article(page)
    page.fill("#date", "2020-03-07T08:00")
    page.locator("#localities-0").press_sequentially("dong ha")
    page.locator("[role=option]", has_text="Phường Đông Hà").wait_for()
    page.locator("#localities-error", has_text='Địa phương "dong ha" không có trong danh mục').wait_for()
    page.locator("#localities-0").scroll_into_view_if_needed()
    group = page.locator(".td-desk-edit-list").first.bounding_box()
    listbox = page.locator("[role=listbox]:visible").bounding_box()
    bottom = max(group["y"] + group["height"], listbox["y"] + listbox["height"])
    top = group["y"] + page.evaluate("scrollY")  # boxes are in the viewport, a full page's clip in the page
    clip = {"x": group["x"], "y": top, "width": group["width"], "height": bottom - group["y"]}
    page.screenshot(path=str(IMAGES / "desk-localities.png"), clip=clip, full_page=True)


def test_the_form_has_no_axe_violations_on_a_computer_and_a_phone(desk, browser):
    _, base = desk
    # The desk's policy allows no inline script, and axe-core is injected as one.
    page = logged_in(browser, base, viewport={"width": 1280, "height": 900}, bypass_csp=True).new_page()
    page.goto(base + "/bai-viet/ton-vinh-dien-hinh/dong-ha-khen-thuong.md/sua")
    page.wait_for_selector("#localities-0[role=combobox]")
    page.wait_for_function("() => document.getElementById('td-desk-edit-preview-frame').srcdoc !== ''")
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 375, "height": 800})
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # one column, nothing off screen
    page.screenshot(path=str(IMAGES / "desk-phone.png"))


def test_the_toolbar_inserts_markdown_and_rows_are_added_and_removed_with_the_keyboard(page):
    open_new_article(page)
    body = page.locator("#body")
    body.fill("Tiêu đề")
    body.press("End")
    toolbar = page.locator("[role=toolbar]")
    toolbar.locator("button").first.focus()
    page.keyboard.press("Enter")
    assert body.input_value() == "## Tiêu đề"
    toolbar.locator("button").first.focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.tool") == "bullets"
    page.locator("fieldset[data-list=honourees] [data-add-row]").click()
    assert page.locator("input[name=honouree_name]").count() == 2
    assert page.evaluate("document.activeElement.id") == "honourees-name-1"
    page.locator("fieldset[data-list=honourees] [data-remove-row]").last.click()
    assert page.locator("input[name=honouree_name]").count() == 1


def test_script_typed_into_every_field_never_runs_in_the_form_or_the_preview(page):
    open_new_article(page)
    fields = page.locator("#td-desk-edit-article-form").locator("input[type=text], textarea")
    for i in range(fields.count()):
        fields.nth(i).fill(HOSTILE)
    page.select_option("#category", "Phát động phong trào")
    page.fill("#date", "2020-03-07T08:00")
    page.wait_for_function(
        "() => (document.getElementById('td-desk-edit-preview-frame').srcdoc || '').includes('onerror')"
    )
    assert preview_heading(page) == HOSTILE
    with page.expect_response("**/bai-viet/luu-tam", timeout=15000):  # the autosave, every few seconds
        pass
    page.goto(page.base + "/bai-viet/moi?ban_luu_tam=1")  # the work in progress shown again in the form
    page.wait_for_selector("#localities-0[role=combobox]")
    assert page.input_value("#title") == HOSTILE
    assert page.input_value("#honourees-name-0") == HOSTILE
    page.wait_for_function("() => document.getElementById('td-desk-edit-preview-frame').srcdoc !== ''")
    assert page.dialogs == []
    assert page.errors == []


def test_the_form_saves_without_javascript(desk, browser):
    project, base = desk
    context = logged_in(browser, base, java_script_enabled=False)
    tab = context.new_page()
    tab.goto(base + "/bai-viet/moi")
    assert tab.locator("[role=toolbar]").is_hidden()
    tab.fill("#title", "Bài viết không cần JavaScript")
    tab.select_option("#category", "Hội nghị tổng kết")
    tab.fill("#localities-0", "Tuần Giáo; Điện Biên")
    tab.fill("#body", "Nội dung.")
    tab.click(".td-desk-actions button[type=submit]:not([formaction])")
    tab.wait_for_url("**/sua?da_luu=1")
    context.close()
    saved = (project / "content/hoi-nghi-tong-ket/bai-viet-khong-can-javascript.md").read_text(encoding="utf-8")
    assert "Title: Bài viết không cần JavaScript\n" in saved
    assert "Localities: Tuần Giáo; Điện Biên\n" in saved
    assert saved.endswith("\n\nNội dung.\n")
