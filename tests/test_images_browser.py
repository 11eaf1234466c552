"""In headless Chromium, a 375 px wide phone loads the variant that fits its screen."""

import functools
import http.server
import shutil
import threading
from pathlib import Path

import jinja2
import pytest

ROOT = Path(__file__).parents[1]
DATA = ROOT / "plugins" / "images" / "test_data"

from plugins.images import markup  # noqa: E402
from plugins.images.cache import ImageCache, publish  # noqa: E402
from plugins.images.images import DEFAULTS  # noqa: E402
from plugins.images.pipeline import inspect_image  # noqa: E402
from plugins.images.test_data import make_fixtures  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

PAGE = """{% from "components/picture.html" import picture %}<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ảnh (hư cấu)</title><link rel="icon" href="data:,"><style>body { margin: 0 } {{ css }}</style></head>
<body><main>{{ picture(lead) }}<p style="height: 8000px">Nội dung.</p>{{ picture(below) }}</main></body></html>
"""

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Serve a page with a lead picture and a lazy picture below the fold on a loopback port."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    root = tmp_path_factory.mktemp("www")
    source = root / "src" / "hoi-nghi.jpg"
    source.parent.mkdir()
    source.write_bytes(make_fixtures.with_metadata(make_fixtures.scene((1600, 1000))))
    other = root / "src" / "cuoi-bai.jpg"
    make_fixtures.halves((1600, 1000)).save(other, quality=90)
    store = ImageCache(root / "cache")

    def published(path: Path, name: str):
        key, folder, variants = store.variants(inspect_image(path), DEFAULTS["IMAGES_WIDTHS"])
        rows = []
        for variant in variants:
            public = markup.public_path("anh", key, name, variant)
            publish(folder / variant.name, root / "site" / public)
            rows.append((variant, "/" + public))
        return rows

    sizes = DEFAULTS["IMAGES_SIZES"]
    css = (ROOT / "theme" / "static" / "css" / "picture.css").read_text(encoding="utf-8")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(ROOT / "theme" / "templates"), autoescape=True)
    html = env.from_string(PAGE).render(
        lead=markup.picture_params(published(source, "hoi-nghi"), "Hội nghị (hư cấu)", "Ảnh minh họa", sizes, "eager"),
        below=markup.picture_params(published(other, "cuoi-bai"), "Ảnh cuối bài (hư cấu)", "", sizes, "lazy"),
        css=css,
    )
    (root / "site" / "index.html").write_text(html, encoding="utf-8")
    handler = functools.partial(QuietHandler, directory=str(root / "site"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()
    shutil.rmtree(root, ignore_errors=True)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.mark.parametrize(("scale", "width"), [(1, 480), (2, 800)])
def test_lead_image_loads_the_variant_that_fits_a_375_px_phone(server, browser, scale, width):
    context = browser.new_context(viewport={"width": 375, "height": 700}, device_scale_factor=scale)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(server)
    lead = page.locator("figure img").first
    lead.evaluate("img => img.complete || new Promise(done => img.addEventListener('load', done))")
    current = lead.evaluate("img => img.currentSrc")
    assert current.endswith(f"/hoi-nghi-{width}.webp"), current
    fetched = page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
    # One file for the lead, nothing bigger, and nothing yet for the picture far below.
    assert [url.rsplit("/", 1)[-1] for url in fetched] == [f"hoi-nghi-{width}.webp"]
    box = lead.bounding_box()
    assert box["width"] == 375 and round(box["height"]) == round(375 * 1000 / 1600)
    assert errors == []
    context.close()


def test_image_below_the_fold_waits_until_scrolled_to(server, browser):
    context = browser.new_context(viewport={"width": 375, "height": 700})
    page = context.new_page()
    page.goto(server)
    below = page.locator("figure img").nth(1)
    assert below.get_attribute("loading") == "lazy"
    fetched = "() => performance.getEntriesByType('resource').map(e => e.name.split('/').pop())"
    assert "cuoi-bai-480.webp" not in page.evaluate(fetched)  # not fetched yet
    # Its width and height attributes reserve the space before any byte arrives.
    assert round(below.bounding_box()["height"]) == round(375 * 1000 / 1600)
    below.scroll_into_view_if_needed()
    below.evaluate("img => img.complete || new Promise(done => img.addEventListener('load', done))")
    assert "cuoi-bai-480.webp" in page.evaluate(fetched)
    assert below.evaluate("img => img.currentSrc").endswith("/cuoi-bai-480.webp")
    context.close()
