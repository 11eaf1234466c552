"""The visitor statistics widget in headless Chromium, and the plugin in a real build."""

import json
import shutil
import tomllib
from pathlib import Path

import jinja2
import pytest

ROOT = Path(__file__).resolve().parents[1]

from tests.support import build_site, serve  # noqa: E402  (one copy of the helpers, as elsewhere)

SNAPSHOT = {
    "version": 1,
    "updated_at": "2026-11-21T09:20:00+07:00",
    "totals": {"pageviews": 1234567, "visitors": 4321, "feed_fetches": 3},
    "today": {"date": "2026-11-21", "pageviews": 2048, "visitors": 900},
    "last_15_minutes": {"visitors": 37},
    "last_30_days": [],
    "most_read": [
        {"url": "/tin-tuc/bai-hai/", "title": "Bài hai <b>đặc biệt</b>", "pageviews": 1500, "visitors": 2},
        {"url": "/tin-tuc/bai-mot/", "title": None, "pageviews": 20, "visitors": 1},
        {"url": "javascript:alert(1)", "title": "evil", "pageviews": 1, "visitors": 1},
    ],
    "feeds": [],
    "lines": {},
}


def render_widget_page() -> str:
    """Render the real component macros into a minimal page."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(ROOT / "theme/templates")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    with open(ROOT / "theme/strings/vi.toml", "rb") as fh:
        strings = tomllib.load(fh)
    template = env.from_string(
        '{% from "components/visitor_stats.html" import visitor_stats, most_read with context %}'
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Thử</title><link rel="icon" href="data:,">'
        '<link rel="stylesheet" href="/visitor-stats.css"></head><body><main>'
        "{{ visitor_stats({}) }}{{ most_read({}) }}</main>"
        '<script src="/visitor-stats.js" defer></script></body></html>'
    )
    return template.render(t=strings, SITEURL="")


@pytest.fixture
def widget_site(tmp_path):
    (tmp_path / "index.html").write_text(render_widget_page(), encoding="utf-8")
    shutil.copy(ROOT / "theme/static/js/visitor-stats.js", tmp_path / "visitor-stats.js")
    shutil.copy(ROOT / "theme/static/css/visitor-stats.css", tmp_path / "visitor-stats.css")
    (tmp_path / "thong-ke.json").write_text(json.dumps(SNAPSHOT, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def test_widget_shows_the_numbers_of_the_json(widget_site, browser):
    errors = []
    with serve(widget_site) as base:
        page = browser.new_page()
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(base + "/index.html")
        page.wait_for_selector(".td-visitor-stats__list", state="visible")
        assert page.inner_text('[data-td-stat="total"]') == "1.234.567"
        assert page.inner_text('[data-td-stat="today"]') == "2.048"
        assert page.inner_text('[data-td-stat="online"]') == "37"
        assert page.get_attribute('[data-td-stat="updated"] time', "datetime") == "2026-11-21T09:20:00+07:00"
        assert page.inner_text('[data-td-stat="updated"]') == "09:20 21/11/2026"
        labels = page.locator(".td-visitor-stats__label").all_inner_texts()
        assert labels == ["Tổng truy cập", "Hôm nay", "Đang truy cập (15 phút qua)"]
        links = page.locator(".td-visitor-stats__article-link")
        assert links.all_inner_texts() == ["Bài hai <b>đặc biệt</b>", "/tin-tuc/bai-mot/"]
        assert links.first.get_attribute("href") == "/tin-tuc/bai-hai/"
        assert page.locator(".td-visitor-stats__articles b").count() == 0
    assert errors == []


def test_without_javascript_the_widget_links_to_the_statistics_page(widget_site, browser):
    with serve(widget_site) as base:
        page = browser.new_page(java_script_enabled=False)
        page.goto(base + "/index.html")
        assert not page.is_visible(".td-visitor-stats__list")
        assert not page.is_visible("[data-td-most-read]")
        link = page.locator(".td-visitor-stats__link")
        assert link.is_visible() and link.get_attribute("href") == "/thong-ke/"
        assert "1.234.567" not in page.content()


def test_a_missing_snapshot_leaves_only_the_link_without_script_errors(widget_site, browser):
    (widget_site / "thong-ke.json").write_text('{"updated_at": null}', encoding="utf-8")
    errors = []
    with serve(widget_site) as base:
        page = browser.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(base + "/index.html")
        page.wait_for_load_state("networkidle")
        assert not page.is_visible(".td-visitor-stats__list")
        assert page.is_visible(".td-visitor-stats__link")
    assert errors == []


def test_build_writes_the_statistics_page_and_a_snapshot(tmp_path):
    settings = {"VISITOR_STATS_DB": str(tmp_path / "none.sqlite3")}
    build = build_site(tmp_path / "out", **settings)  # the project's settings list the plugin
    snap = json.loads((build.output / "thong-ke.json").read_text(encoding="utf-8"))
    assert snap["updated_at"] is None and snap["totals"]["pageviews"] == 0
    page = build.soup("thong-ke/index.html")
    assert page.find("h1").get_text(strip=True) == "Thống kê truy cập"
    assert page.find("a", href="/quyen-rieng-tu/") is not None
    assert page.find("a", href="/thong-ke.json") is not None
    assert page.select("[data-td-visitor-stats]") and page.select("[data-td-most-read]")
    assert page.select_one('script[src$="visitor-stats.js"]').has_attr("defer")
