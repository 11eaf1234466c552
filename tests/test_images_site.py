"""Build a small real site with the images plugin and check what it publishes."""

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image

ROOT = Path(__file__).parents[1]
DATA = ROOT / "plugins" / "images" / "test_data"

from plugins.content_checks import problems  # noqa: E402
from plugins.images import images as plugin  # noqa: E402
from plugins.images.test_data import make_fixtures  # noqa: E402

# Fictional articles for tests only.
LEAD = """Title: Hội nghị thi đua xã Hòa Bình (hư cấu)
Date: 2021-03-04 08:00
Category: Tôn vinh điển hình
Localities: Thừa Thiên Huế
Image: images/hoi-nghi.jpg
Image_caption: Ảnh minh họa

Đoạn mở đầu.

![Lễ trao thưởng (hư cấu)]({static}/images/trao-thuong.jpg "Ảnh minh họa")

Có ảnh nhỏ ![](../images/nho.png) giữa câu.

![Ảnh sai đuôi](/images/sai.jpg)
"""

NO_IMAGE = """Title: Phát động thi đua "Chung sức" năm 2021 (hư cấu)
Date: 2021-01-02
Category: Phát động phong trào
Localities: Thừa Thiên Huế

Không có ảnh.
"""

MISSING = """Title: Bài có ảnh thiếu (hư cấu)
Date: 2021-01-03
Category: Phát động phong trào
Localities: Thừa Thiên Huế
Image: images/khong-co.jpg
Image_alt: Ảnh không có

Nội dung.
"""

ARTICLE_TEMPLATE = """{% from "components/picture.html" import picture %}<!doctype html>
<html lang="vi"><head><title>{{ article.title }}</title>
{% if article.og_image %}<meta property="og:image" content="{{ article.og_image.url }}">
<meta property="og:image:width" content="{{ article.og_image.width }}">
<meta property="og:image:height" content="{{ article.og_image.height }}">
<meta property="og:image:type" content="{{ article.og_image.type }}">
<meta property="og:image:alt" content="{{ article.og_image.alt }}">{% endif %}
</head><body><main>
{% if article.lead_image %}{{ picture(article.lead_image) }}{% endif %}
{{ article.content|safe }}
</main></body></html>
"""


def write_site(base: Path) -> None:
    content = base / "content"
    (content / "images").mkdir(parents=True)
    (content / "tin").mkdir()
    (content / "tin" / "hoi-nghi.md").write_text(LEAD, encoding="utf-8")
    (content / "tin" / "khong-anh.md").write_text(NO_IMAGE, encoding="utf-8")
    (content / "tin" / "thieu-anh.md").write_text(MISSING, encoding="utf-8")
    (content / "images" / "hoi-nghi.jpg").write_bytes(make_fixtures.with_metadata(make_fixtures.scene((1600, 1000))))
    (content / "images" / "trao-thuong.jpg").write_bytes(make_fixtures.with_metadata(make_fixtures.halves(), 6))
    Image.new("RGB", (300, 200), (10, 120, 40)).save(content / "images" / "nho.png")
    shutil.copy(DATA / "bad" / "lying.jpg", content / "images" / "sai.jpg")
    templates = base / "templates"
    (templates / "components").mkdir(parents=True)
    (templates / "article.html").write_text(ARTICLE_TEMPLATE, encoding="utf-8")
    shutil.copy(ROOT / "theme" / "templates" / "components" / "picture.html", templates / "components")


def build(base: Path) -> Path:
    # The project's own settings and plugins: signals connected by earlier builds in this
    # process stay connected, so a build with a partial plugin list would not be what it says.
    from tests.support import build_site

    output = base / "output"
    build_site(
        output,
        content=base / "content",
        THEME_TEMPLATES_OVERRIDES=[str(base / "templates")],
        CONTENT_CHECKS_STRICT=False,
        IMAGES_FONT_PATH=str(ROOT / "theme" / "fonts" / "BeVietnamPro-Regular.ttf"),
        IMAGES_WIDTHS=(480, 800, 1200),
        IMAGES_CACHE_PATH=str(base / "cache" / "images"),
    )
    return output


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("site")
    write_site(base)
    problems.clear()
    output = build(base)
    found = [str(p) for p in problems.all_problems()]
    problems.clear()
    return base, output, found


def page(output: Path, slug: str) -> str:
    return (output / "tin-tuc" / slug / "index.html").read_text(encoding="utf-8")


def test_every_published_image_has_no_metadata(site):
    _, output, _ = site
    files = [p for p in output.rglob("*") if p.suffix in {".jpg", ".webp", ".png"}]
    assert len(files) > 10
    for path in files:
        data = path.read_bytes()
        assert b"FictionalCam" not in data and b"secret location" not in data, path
        with Image.open(path) as image:
            assert not image.getexif(), path


def test_static_copy_of_an_original_is_stripped_and_undecodable_ones_are_not_published(site):
    _, output, _ = site
    with Image.open(output / "images" / "hoi-nghi.jpg") as image:
        assert image.size == (1600, 1000) and not image.getexif()
    assert not (output / "images" / "sai.jpg").exists()


def test_lead_image_is_an_eager_picture_with_all_widths(site):
    _, output, _ = site
    html = page(output, "hoi-nghi-thi-dua-xa-hoa-binh-hu-cau")
    lead = html.split("<main>", 1)[1].split("</figure>", 1)[0]
    assert '<source type="image/webp" srcset="/anh/' in lead
    for width in (480, 800, 1200):
        assert f"/hoi-nghi-{width}.webp {width}w" in lead and f"/hoi-nghi-{width}.jpg {width}w" in lead
    assert 'width="1200" height="750"' in lead and 'loading="eager"' in lead
    assert (
        'alt=""' in lead
        and '<figcaption class="td-figure__caption">Ảnh minh họa <a class="td-figure__original"' in lead
    )
    for url in (part.split(" ")[0] for part in lead.split('srcset="')[1].split('"')[0].split(", ")):
        assert (output / url.lstrip("/")).is_file(), url


def test_body_images_become_lazy_pictures_with_dimensions(site):
    _, output, _ = site
    html = page(output, "hoi-nghi-thi-dua-xa-hoa-binh-hu-cau")
    body = html.split("</figure>", 1)[1]
    assert '<figure class="td-figure"><picture class="td-picture">' in body  # the lone image
    assert 'alt="Lễ trao thưởng (hư cấu)"' in body and "Ảnh minh họa</figcaption>" in body
    assert 'width="100" height="200"' in body  # orientation applied (200×100 turned)
    assert "<p>Có ảnh nhỏ <picture" in body and 'width="300" height="200"' in body
    assert body.count('loading="lazy" decoding="async"') == 2
    assert "{static}" not in body and 'src="/images/sai.jpg"' in body  # the bad one is left as written


def test_open_graph_image_is_a_1200_by_630_crop_or_a_generated_card(site):
    _, output, _ = site
    lead = page(output, "hoi-nghi-thi-dua-xa-hoa-binh-hu-cau")
    assert '<meta property="og:image:width" content="1200">' in lead
    og = lead.split('property="og:image" content="')[1].split('"')[0]
    assert og.endswith("/hoi-nghi-og.jpg")
    card_page = page(output, "phat-dong-thi-dua-chung-suc-nam-2021-hu-cau")
    card = card_page.split('property="og:image" content="')[1].split('"')[0]
    assert card.startswith("/anh/the/") and card.endswith(".png")
    assert 'content="Tin thi đua: Phát động thi đua &#34;Chung sức&#34; năm 2021 (hư cấu)"' in card_page
    for url in (og, card):
        with Image.open(output / url.lstrip("/")) as image:
            assert image.size == (1200, 630)


def test_bad_images_are_reported_not_crashing(site):
    _, _, found = site
    assert found == [
        'content/tin/hoi-nghi.md:5: ảnh "images/hoi-nghi.jpg" thiếu mô tả thay thế (Image_alt); '
        "thêm dòng Image_alt: mô tả ngắn nội dung ảnh cho người không xem được ảnh",
        'content/tin/hoi-nghi.md:12: ảnh "images/nho.png" trong bài thiếu mô tả thay thế; '
        "viết mô tả trong ngoặc vuông: ![mô tả ảnh](images/nho.png)",
        'content/tin/hoi-nghi.md:14: ảnh "images/sai.jpg" có đuôi .jpg nhưng thực chất là PNG; '
        "đổi đuôi tệp cho đúng định dạng rồi sửa dòng chứa ảnh",
        'content/tin/thieu-anh.md:5: ảnh "images/khong-co.jpg" không tồn tại; '
        "kiểm tra tên tệp trong content/images/ hoặc sửa dòng Image",
    ]


def test_second_build_reuses_the_cache(site):
    base, output, _ = site
    cache = base / "cache" / "images"
    before = {p: p.stat().st_mtime_ns for p in cache.rglob("*") if p.is_file()}
    assert before
    problems.clear()
    build(base)
    problems.clear()
    after = {p: p.stat().st_mtime_ns for p in cache.rglob("*") if p.is_file()}
    assert after == before
    assert (output / "anh").is_dir()


def test_lead_image_problem_uses_the_header_line(tmp_path):
    problems.clear()
    (tmp_path / "content").mkdir()
    settings = {
        "PATH": str(tmp_path / "content"),
        "SITENAME": "Tin thi đua",
        "SITEURL": "",
        **plugin.DEFAULTS,
        "IMAGES_CACHE_PATH": str(tmp_path / "cache"),
        "IMAGES_FONT_PATH": str(ROOT / "theme" / "fonts" / "BeVietnamPro-Regular.ttf"),
    }
    article = SimpleNamespace(
        title="Tin (hư cấu)",
        image="images/x.jpg",
        image_alt="",
        image_caption="",
        header_lines={"title": 1, "image": 7},
        source_path=str(tmp_path / "content" / "tin" / "x.md"),
    )
    plugin.set_lead_image(article, settings)
    assert [str(p) for p in problems.all_problems()] == [
        'content/tin/x.md:7: ảnh "images/x.jpg" không tồn tại; '
        "kiểm tra tên tệp trong content/images/ hoặc sửa dòng Image"
    ]
    assert article.lead_image is None and article.og_image["width"] == 1200
    problems.clear()
    plugin._PUBLISH.clear()
    plugin._STATE.clear()


def test_usable_images_unchanged_since_the_last_build_are_not_decoded_again(tmp_path, monkeypatch):
    import plugins.images.images as images_module

    write_site(tmp_path)
    build(tmp_path)
    first_page = page(tmp_path / "output", "hoi-nghi-thi-dua-xa-hoa-binh-hu-cau")
    decoded = []
    real = images_module.inspect_image
    monkeypatch.setattr(
        images_module, "inspect_image", lambda path, *a: decoded.append(Path(path).name) or real(path, *a)
    )
    problems.clear()
    build(tmp_path)
    assert "hoi-nghi.jpg" not in decoded and "nho.png" not in decoded
    assert "sai.jpg" in decoded  # an image with a problem is looked at again, so it is reported again
    assert any("sai.jpg" in str(p) for p in problems.all_problems())
    # A replaced image (new bytes, new modification time) is inspected again and its new variants published.
    replaced = tmp_path / "content" / "images" / "hoi-nghi.jpg"
    replaced.write_bytes(make_fixtures.with_metadata(make_fixtures.scene((1400, 900))))
    decoded.clear()
    problems.clear()
    build(tmp_path)
    problems.clear()
    assert "hoi-nghi.jpg" in decoded
    assert page(tmp_path / "output", "hoi-nghi-thi-dua-xa-hoa-binh-hu-cau") != first_page
