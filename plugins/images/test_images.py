"""Tests for the pure image functions: variants, metadata, orientation, bad images, cache, card."""

import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageStat

from plugins.images import cache as cache_module
from plugins.images import card, markup, pipeline
from plugins.images.pipeline import ImageInfo, ImageProblem, inspect_image, make_variants
from plugins.images.test_data import make_fixtures

DATA = Path(__file__).parent / "test_data"

FONT = Path(__file__).parents[2] / "theme" / "fonts" / "BeVietnamPro-Regular.ttf"
GPS_IFD = 0x8825


@pytest.fixture
def photo(tmp_path) -> Path:
    """A synthetic JPEG with EXIF camera data, a GPS position and a comment."""
    path = tmp_path / "scene.jpg"
    path.write_bytes(make_fixtures.with_metadata(make_fixtures.scene()))
    return path


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean) / 3


# --- variants -------------------------------------------------------------------------------


def test_variants_match_golden_images_in_size_and_pixels(photo, tmp_path):
    out = tmp_path / "out"
    variants = make_variants(photo, (160, 320), out)
    for variant in variants:
        if variant.role not in ("variant", "og"):
            continue
        golden = Image.open(DATA / "golden" / (variant.name.replace(".", "_") + ".png"))
        with Image.open(out / variant.name) as produced:
            assert produced.size == (variant.width, variant.height)
            if variant.role == "og":
                assert produced.size == (1200, 630)
                produced = produced.convert("RGB").resize((240, 126), Image.Resampling.BOX)
            else:
                assert produced.size == golden.size
            assert mean_difference(produced, golden) < 2.0, variant.name


def test_variants_are_webp_and_jpeg_at_each_width_with_exact_sizes(photo, tmp_path):
    variants = make_variants(photo, (160, 320), tmp_path)
    rows = [(v.name, v.format, v.width, v.height, v.role) for v in variants]
    assert rows == [
        ("160.webp", "WEBP", 160, 100, "variant"),
        ("160.jpg", "JPEG", 160, 100, "variant"),
        ("320.webp", "WEBP", 320, 200, "variant"),
        ("320.jpg", "JPEG", 320, 200, "variant"),
        ("original.jpg", "JPEG", 640, 400, "original"),
        ("og.jpg", "JPEG", 1200, 630, "og"),
    ]
    for variant in variants:
        with Image.open(tmp_path / variant.name) as image:
            assert image.format == variant.format


def test_variants_never_upscale_a_small_image(photo, tmp_path):
    variants = make_variants(photo, (480, 800, 1200), tmp_path)
    assert [v.width for v in variants if v.role == "variant"] == [480, 480]
    assert pipeline.plan_widths(300, (480, 800)) == [300]


def test_lead_image_at_800_px_stays_under_about_100_kb(tmp_path):
    noisy = Image.blend(
        Image.effect_mandelbrot((2400, 1600), (-2, -1.2, 1, 1.2), 80).convert("RGB"),
        Image.effect_noise((2400, 1600), 60).convert("RGB"),
        0.5,
    )
    source = tmp_path / "noisy.jpg"
    noisy.save(source, quality=98)
    make_variants(source, (800,), tmp_path / "out")
    assert (tmp_path / "out" / "800.jpg").stat().st_size <= 100_000
    assert (tmp_path / "out" / "800.webp").stat().st_size <= 100_000


def test_same_input_gives_identical_bytes(photo, tmp_path):
    make_variants(photo, (160,), tmp_path / "a")
    make_variants(photo, (160,), tmp_path / "b")
    for name in ("160.webp", "160.jpg", "original.jpg", "og.jpg"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


# --- metadata and orientation ---------------------------------------------------------------


def test_fixture_really_carries_gps_before_processing(photo):
    with Image.open(photo) as image:
        assert image.getexif().get_ifd(GPS_IFD)


def test_no_exif_gps_xmp_icc_or_comment_in_any_output(photo, tmp_path):
    for variant in make_variants(photo, (160, 320), tmp_path):
        data = (tmp_path / variant.name).read_bytes()
        assert b"Exif" not in data and b"FictionalCam" not in data, variant.name
        assert b"secret location" not in data and b"http://ns.adobe.com/xap" not in data
        with Image.open(tmp_path / variant.name) as image:
            assert not image.getexif(), variant.name
            assert not image.info.get("exif") and not image.info.get("icc_profile")
            assert not image.info.get("comment") and not image.info.get("xmp")


def test_icc_profile_is_converted_to_srgb_and_dropped(tmp_path):
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = tmp_path / "icc.jpg"
    make_fixtures.scene((200, 120)).save(source, quality=95, icc_profile=srgb)
    assert profile  # a second profile exists; sRGB → sRGB must keep the colours
    make_variants(source, (100,), tmp_path / "out")
    with Image.open(tmp_path / "out" / "100.jpg") as image:
        assert "icc_profile" not in image.info
        reference = make_fixtures.scene((200, 120)).resize((100, 60))
        assert mean_difference(image, reference) < 6


@pytest.mark.parametrize(
    ("orientation", "size", "top_left_colour"),
    [(1, (200, 100), "red"), (6, (100, 200), "red"), (8, (100, 200), "blue"), (3, (200, 100), "blue")],
)
def test_exif_orientation_is_applied_before_resizing(tmp_path, orientation, size, top_left_colour):
    source = tmp_path / "turned.jpg"
    source.write_bytes(make_fixtures.with_metadata(make_fixtures.halves(), orientation))
    info = inspect_image(source)
    assert (info.width, info.height) == size
    variants = make_variants(source, (100, 200), tmp_path / "out")
    original = next(v for v in variants if v.role == "original")
    assert (original.width, original.height) == size
    with Image.open(tmp_path / "out" / original.name) as image:
        assert image.size == size
        red, _, blue = image.getpixel((5, 5))
        assert (red > blue) == (top_left_colour == "red")


def test_transparent_png_gets_a_white_jpeg_fallback_and_keeps_alpha_in_webp(tmp_path):
    source = tmp_path / "logo.png"
    Image.new("RGBA", (300, 200), (0, 0, 0, 0)).save(source)
    make_variants(source, (150,), tmp_path / "out")
    with Image.open(tmp_path / "out" / "150.jpg") as image:
        assert image.getpixel((3, 3)) == (255, 255, 255)
    with Image.open(tmp_path / "out" / "150.webp") as image:
        assert image.mode == "RGBA"
    assert (tmp_path / "out" / "original.png").exists()


# --- bad images -----------------------------------------------------------------------------

BAD = [
    ("missing.jpg", "missing", 'ảnh "images/missing.jpg" không tồn tại', "kiểm tra tên tệp trong content/images/ hoặc sửa dòng Image"),
    ("corrupt.jpg", "corrupt", 'ảnh "images/corrupt.jpg" bị hỏng, không đọc được', "xuất lại ảnh từ bản gốc rồi chép đè vào content/images/"),
    ("truncated.jpg", "truncated", 'ảnh "images/truncated.jpg" bị cắt cụt (tệp chưa chép đủ)', "chép lại tệp ảnh đầy đủ vào content/images/"),
    ("lying.jpg", "extension", 'ảnh "images/lying.jpg" có đuôi .jpg nhưng thực chất là PNG', "đổi đuôi tệp cho đúng định dạng rồi sửa dòng Image"),
    ("bomb.png", "bomb", 'ảnh "images/bomb.png" quá lớn để giải mã an toàn (3.600.000.000 điểm ảnh, giới hạn 50.000.000)', "thu nhỏ ảnh (rộng 2400 px là đủ) rồi chép lại vào content/images/"),
    ("unsupported.bmp", "unsupported", 'ảnh "images/unsupported.bmp" có định dạng BMP không được hỗ trợ', "chuyển ảnh sang JPEG, PNG hoặc WebP"),
    ("drawing.svg", "unsupported", 'ảnh "images/drawing.svg" có định dạng SVG không được hỗ trợ', "chuyển ảnh sang JPEG, PNG hoặc WebP"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "kind", "message", "fix"), BAD)
def test_bad_image_is_a_problem_with_its_exact_message(name, kind, message, fix):
    result = inspect_image(DATA / "bad" / name, max_pixels=50_000_000)
    assert isinstance(result, ImageProblem)
    assert result.kind == kind
    assert markup.describe(result, f"images/{name}") == (message, fix)


def test_bomb_limit_follows_the_setting(photo):
    result = inspect_image(photo, max_pixels=1000)
    assert markup.describe(result, "images/scene.jpg")[0] == (
        'ảnh "images/scene.jpg" quá lớn để giải mã an toàn (256.000 điểm ảnh, giới hạn 1.000)'
    )
    assert isinstance(inspect_image(photo, max_pixels=256_000), ImageInfo)
    assert Image.MAX_IMAGE_PIXELS != 1000  # the global limit is restored


def test_missing_alt_warning_names_the_file():
    assert markup.problem_text("no_alt", "images/x.jpg") == (
        'ảnh "images/x.jpg" thiếu mô tả thay thế (Image_alt)',
        "thêm dòng Image_alt: mô tả ngắn nội dung ảnh cho người không xem được ảnh",
    )


def test_good_image_is_described(photo):
    info = inspect_image(photo)
    assert (info.format, info.width, info.height) == ("JPEG", 640, 400)
    assert info.sha256 == pipeline.sha256_file(photo)


# --- cache ----------------------------------------------------------------------------------


def test_unchanged_image_is_processed_once(photo, tmp_path, monkeypatch):
    calls = []
    real = pipeline.make_variants
    monkeypatch.setattr(pipeline, "make_variants", lambda *a, **k: calls.append(a) or real(*a, **k))
    store = cache_module.ImageCache(tmp_path / "cache")
    info = inspect_image(photo)
    key, folder, first = store.variants(info, (160, 320))
    mtimes = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    again = cache_module.ImageCache(tmp_path / "cache")  # a new build
    key2, folder2, second = again.variants(inspect_image(photo), (160, 320))
    assert len(calls) == 1 and again.processed == 0
    assert (key2, folder2, second) == (key, folder, first)
    assert {p.name: p.stat().st_mtime_ns for p in folder2.iterdir()} == mtimes


def test_changed_bytes_or_parameters_make_a_new_cache_entry(photo, tmp_path):
    store = cache_module.ImageCache(tmp_path / "cache")
    key, _, _ = store.variants(inspect_image(photo), (160,))
    key_widths, _, _ = store.variants(inspect_image(photo), (160, 320))
    copy = tmp_path / "other.jpg"
    shutil.copy(photo, copy)
    key_same_bytes, _, _ = store.variants(inspect_image(copy), (160,))
    with open(copy, "ab") as handle:
        handle.write(b"\0")
    key_new_bytes, _, _ = store.variants(inspect_image(copy), (160,))
    assert key_same_bytes == key
    assert len({key, key_widths, key_new_bytes}) == 3
    assert store.processed == 3


def test_a_half_written_cache_entry_is_rebuilt(photo, tmp_path):
    store = cache_module.ImageCache(tmp_path / "cache")
    _, folder, _ = store.variants(inspect_image(photo), (160,))
    (folder / "160.webp").unlink()
    next_build = cache_module.ImageCache(tmp_path / "cache")  # each build has its own (memoized) view
    next_build.variants(inspect_image(photo), (160,))
    assert (folder / "160.webp").exists() and next_build.processed == 1


# --- share card -----------------------------------------------------------------------------

TITLE = "Đông Hà phát động phong trào thi đua “Chung sức xây dựng đô thị văn minh” năm 2021"


def test_share_card_is_1200_by_630_and_deterministic(tmp_path):
    card.make_share_card("Thi đua Thừa Thiên Huế", TITLE, tmp_path / "a.png", FONT)
    card.make_share_card("Thi đua Thừa Thiên Huế", TITLE, tmp_path / "b.png", FONT)
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    with Image.open(tmp_path / "a.png") as image:
        assert image.size == (1200, 630) and image.format == "PNG"


def test_bundled_font_draws_every_vietnamese_letter_not_tofu():
    import unicodedata

    font = ImageFont.truetype(str(FONT), 48)

    def drawn(text):
        image = Image.new("L", (80, 80))
        ImageDraw.Draw(image).text((10, 5), text, font=font, fill=255)
        return image

    missing = drawn("\u4e00")  # CJK: not in the font → its missing glyph (tofu)
    letters = "ĐđĂăÂâÊêÔôƠơƯư" + "".join(
        unicodedata.normalize("NFC", base + tone)
        for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
        for tone in "\u0300\u0301\u0303\u0309\u0323"
    )
    for letter in letters:
        glyph = drawn(letter)
        assert glyph.getbbox() is not None, letter
        assert ImageChops.difference(glyph, missing).getbbox() is not None, letter
    assert font.getbbox("Đ") != font.getbbox("\u4e00")


def test_share_card_draws_the_title_text(tmp_path):
    with_title = card.draw_share_card("Thi đua", "Đ", FONT)
    without = card.draw_share_card("Thi đua", "", FONT)
    assert ImageChops.difference(with_title, without).getbbox() is not None


def test_decomposed_title_renders_like_composed_title():
    import unicodedata

    nfd = unicodedata.normalize("NFD", TITLE)
    composed = card.draw_share_card("Thi đua", TITLE, FONT)
    decomposed = card.draw_share_card("Thi đua", nfd, FONT)
    assert ImageChops.difference(composed, decomposed).getbbox() is None


@pytest.mark.parametrize(
    ("title", "lines", "shortened"),
    [
        ("Ngắn", 1, False),
        (TITLE, 4, False),
        (" ".join(["Tuyên dương điển hình tiên tiến"] * 12), 4, True),
    ],
)
def test_title_wraps_within_the_card(title, lines, shortened):
    font, wrapped = card.fit_title(title, FONT.with_name("BeVietnamPro-Bold.ttf"), 1040)
    assert len(wrapped) == lines
    assert all(font.getlength(line) <= 1040 for line in wrapped)
    assert wrapped[-1].endswith("…") == shortened


# --- markup ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("src", "article_dir", "expected"),
    [
        ("{static}/images/a.jpg", "tin", "images/a.jpg"),
        ("{static}images/a.jpg", "tin", "images/a.jpg"),
        ("/images/a.jpg", "tin", "images/a.jpg"),
        ("../images/a.jpg", "tin", "images/a.jpg"),
        ("{static}../images/a.jpg", "tin", "images/a.jpg"),
        ("images/a.jpg", "", "images/a.jpg"),
        ("https://example.org/a.jpg", "tin", None),
        ("data:image/png;base64,AAAA", "", None),
        ("../../a.jpg", "tin", None),
    ],
)
def test_img_src_resolves_to_a_content_path(src, article_dir, expected):
    assert markup.content_relative(src, article_dir) == expected


def test_body_rewrite_turns_lone_images_into_figures_and_inline_ones_into_pictures():
    html = '<p>Chữ</p>\n<p><img alt="Hội nghị" src="a.jpg" title="Ảnh minh họa"></p>\n<p>Có <img src="b.jpg" alt=""> giữa</p>'
    seen = []

    def replace(attrs, alone):
        seen.append((attrs["src"], alone, attrs.get("title")))
        return "<figure>F</figure>" if alone else "<picture>P</picture>"

    assert markup.rewrite_body(html, replace) == "<p>Chữ</p>\n<figure>F</figure>\n<p>Có <picture>P</picture> giữa</p>"
    assert seen == [("a.jpg", True, "Ảnh minh họa"), ("b.jpg", False, None)]


def test_output_names_are_ascii_and_stable():
    variant = pipeline.Variant("800.webp", "WEBP", "image/webp", 800, 533)
    assert markup.output_name("images/Hội nghị Đông Hà.JPG") == "hoi-nghi-dong-ha"
    assert markup.public_path("anh", "ab" * 32, "hoi-nghi", variant) == "anh/abababababab/hoi-nghi-800.webp"


def test_picture_params_list_webp_first_and_fallback_near_800():
    variants = [
        (pipeline.Variant(f"{w}.{e}", f, m, w, w // 2), f"/anh/k/x-{w}.{e}")
        for w in (480, 800, 1200)
        for f, e, m in (("WEBP", "webp", "image/webp"), ("JPEG", "jpg", "image/jpeg"))
    ]
    params = markup.picture_params(variants, "mô tả", "chú thích", "100vw", "eager")
    assert params["sources"][0] == {
        "type": "image/webp",
        "srcset": "/anh/k/x-480.webp 480w, /anh/k/x-800.webp 800w, /anh/k/x-1200.webp 1200w",
        "sizes": "100vw",
    }
    assert params["sources"][1]["type"] == "image/jpeg"
    assert (params["src"], params["width"], params["height"]) == ("/anh/k/x-800.jpg", 1200, 600)
    assert (params["loading"], params["decoding"]) == ("eager", "auto")


def test_python_twin_escapes_alt_and_caption():
    params = {
        "sources": [{"type": "image/webp", "srcset": "a.webp 480w", "sizes": "100vw"}],
        "src": "a.jpg",
        "width": 480,
        "height": 320,
        "alt": 'Cờ "đỏ" <b>',
        "caption": "<script>x</script>",
        "loading": "lazy",
        "decoding": "async",
    }
    out = markup.render_picture(params)
    assert 'alt="Cờ &quot;đỏ&quot; &lt;b&gt;"' in out
    assert "&lt;script&gt;" in out and "<script>" not in out


def test_sanitiser_encoded_static_prefix_is_understood():
    assert markup.content_relative("%7Bstatic%7D/images/a.jpg", "tin") == "images/a.jpg"


# --- share cards drawn by worker processes ---------------------------------------------------


def _card_settings(tmp_path, **overrides):
    return {
        "SITENAME": "Thi đua",
        "THEME": str(FONT.parents[1]),
        "PATH": str(tmp_path / "content"),
        "IMAGES_CACHE_PATH": str(tmp_path / "cache"),
        "IMAGES_OUTPUT_DIR": "anh",
        "IMAGES_FONT_PATH": "",
        "SITEURL": "",
        "IMAGES_CARD_WORKERS": 1,
        "IMAGES_CARD_POOL_MIN": 2,
        "IMAGES_WIDTHS": (480, 800, 1200),
        **overrides,
    }


def assert_cards_published(tmp_path, titles, urls):
    """Publish the build's files and check each card against the same card drawn in place."""
    from plugins.images import images as adapters

    adapters.publish_all(tmp_path / "out")
    adapters._forget_unfinished_build()
    for title, url in zip(titles, urls, strict=True):
        card.make_share_card("Thi đua", title, tmp_path / "expected.png", FONT)
        assert (tmp_path / "out" / url.lstrip("/")).read_bytes() == (tmp_path / "expected.png").read_bytes()


def test_cards_drawn_by_workers_match_cards_drawn_in_place(tmp_path):
    from plugins.images import images as adapters

    settings = _card_settings(tmp_path)
    titles = [f"Tin số {n}: hội nghị điển hình tiên tiến" for n in range(5)]
    adapters._forget_unfinished_build()
    urls = [adapters._share_card(settings, title)[1] for title in titles]
    adapters.start_cards(settings)
    assert "workers" in adapters._STATE  # five new cards ≥ IMAGES_CARD_POOL_MIN: workers draw them
    adapters.finish_cards(settings)
    assert_cards_published(tmp_path, titles, urls)


def test_a_failed_card_worker_loses_no_card(tmp_path):
    import concurrent.futures

    from plugins.images import images as adapters

    settings = _card_settings(tmp_path)
    adapters._forget_unfinished_build()
    url = adapters._share_card(settings, "Tin bị lỗi khi vẽ")[1]
    adapters._STATE.pop("cards")
    crashed = concurrent.futures.Future()
    crashed.set_exception(RuntimeError("worker killed"))
    adapters._workers(settings).card_jobs.append((["Tin bị lỗi khi vẽ"], crashed))
    adapters.finish_cards(settings)
    adapters.publish_all(tmp_path / "out")
    adapters._forget_unfinished_build()
    with Image.open(tmp_path / "out" / url.lstrip("/")) as image:
        assert image.size == (1200, 630)


def test_a_cached_card_is_not_planned_again(tmp_path):
    from plugins.images import images as adapters

    settings = _card_settings(tmp_path, IMAGES_CARD_POOL_MIN=100)
    adapters._forget_unfinished_build()
    adapters._share_card(settings, "Tin đã có thẻ")
    adapters.start_cards(settings)  # one card: drawn in place
    adapters._forget_unfinished_build()
    adapters._share_card(settings, "Tin đã có thẻ")
    assert "cards" not in adapters._STATE
    adapters._forget_unfinished_build()


def test_photographs_are_published_before_the_cards_that_workers_still_draw(tmp_path):
    from plugins.images import images as adapters

    settings = _card_settings(tmp_path)
    adapters._forget_unfinished_build()
    card_url = adapters._share_card(settings, "Tin chưa có thẻ")[1]
    photo = tmp_path / "cache" / "photo.jpg"
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(b"jpeg bytes")
    adapters._PUBLISH["anh/ab/photo-800.jpg"] = photo
    adapters.publish_all(tmp_path / "out", skip=adapters._STATE["card_paths"])
    assert (tmp_path / "out/anh/ab/photo-800.jpg").read_bytes() == b"jpeg bytes"
    assert not (tmp_path / "out" / card_url.lstrip("/")).exists()
    adapters._forget_unfinished_build()


@pytest.mark.parametrize("name", ["IMAGES_CARD_WORKERS", "IMAGES_CARD_POOL_MIN"])
def test_bad_card_worker_settings_are_refused(tmp_path, name):
    from types import SimpleNamespace

    from plugins.images import images as adapters

    settings = {**_card_settings(tmp_path), "IMAGES_WIDTHS": (480,), "IMAGES_MAX_PIXELS": 1000, name: -1}
    with pytest.raises(ValueError, match=rf"^{name} must be a whole number ≥ 0, e.g. "):
        adapters.apply_defaults(SimpleNamespace(settings=settings))


def test_cards_are_planned_before_the_photographs_and_never_twice(tmp_path, photo, monkeypatch):
    from types import SimpleNamespace

    from plugins.images import images as adapters

    settings = _card_settings(tmp_path, PATH=str(photo.parent), IMAGES_CARD_POOL_MIN=100, IMAGES_MAX_PIXELS=10**8)
    drawn = []
    monkeypatch.setattr(adapters, "draw_cards", lambda root, site, titles, font: drawn.extend(titles) or 0)
    adapters._forget_unfinished_build()
    without = SimpleNamespace(title="Tin không có ảnh", image=None)
    unreadable = SimpleNamespace(title="Tin có ảnh hỏng", image="missing.jpg")
    with_photo = SimpleNamespace(title="Tin có ảnh", image=photo.name)
    adapters.plan_share_cards([without, unreadable, with_photo], settings)
    assert sorted(adapters._STATE["cards"].values()) == ["Tin có ảnh hỏng", "Tin không có ảnh"]
    adapters.start_cards(settings)
    # Still being drawn (here: never drawn), and asked for again by set_lead_image: not planned twice.
    adapters._share_card(settings, "Tin không có ảnh")
    assert "cards" not in adapters._STATE
    assert sorted(drawn) == ["Tin có ảnh hỏng", "Tin không có ảnh"]
    adapters._forget_unfinished_build()


def test_images_are_handed_to_a_worker_while_the_articles_are_read(tmp_path, photo, monkeypatch):
    from types import SimpleNamespace

    from plugins.images import images as adapters

    settings = _card_settings(
        tmp_path, PATH=str(photo.parent), IMAGES_CARD_POOL_MIN=2, IMAGES_WIDTHS=(160,), IMAGES_MAX_PIXELS=10**8
    )
    monkeypatch.setattr(adapters, "Article", SimpleNamespace)  # plain objects stand for read articles
    adapters._forget_unfinished_build()
    titles = [f"Tin số {n} không có ảnh" for n in range(3)]
    articles = [SimpleNamespace(title="Tin có ảnh", image=photo.name, settings=settings)]
    articles += [SimpleNamespace(title=title, image=None, settings=settings) for title in titles]
    for article in articles:
        adapters.work_ahead(article)
    assert "workers" in adapters._STATE  # four things to make ≥ IMAGES_CARD_POOL_MIN: a worker makes them
    adapters.wait_for_variants(settings)
    info = inspect_image(photo)
    assert adapters._cache(settings).stored(cache_module.variant_key(info.sha256, (160,)))
    adapters.plan_share_cards(articles, settings)
    # Cards still queued when reading ended are planned as usual; none is drawn twice.
    handed = {title for batch, _ in adapters._STATE["workers"].card_jobs for title in batch}
    planned = set(adapters._STATE.get("cards", {}).values())
    assert handed and not handed & planned and handed | planned == set(titles)
    urls = [adapters._share_card(settings, title)[1] for title in titles]
    adapters.start_cards(settings)
    adapters.finish_cards(settings)
    assert_cards_published(tmp_path, titles, urls)


def test_nothing_is_handed_to_a_worker_when_the_cache_holds_it_all(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from plugins.images import images as adapters

    settings = _card_settings(tmp_path, IMAGES_CARD_POOL_MIN=2)
    monkeypatch.setattr(adapters, "Article", SimpleNamespace)
    adapters._forget_unfinished_build()
    articles = [SimpleNamespace(title=f"Tin số {n}", image=None, settings=settings) for n in range(3)]
    for article in articles:
        adapters._share_card(settings, article.title)
    adapters.start_cards(settings)
    adapters.finish_cards(settings)
    adapters._forget_unfinished_build()
    for article in articles * (adapters.AHEAD_PROBE + 1):
        adapters.work_ahead(article)
    assert "workers" not in adapters._STATE and adapters._STATE["ahead"]["idle"] == adapters.AHEAD_PROBE
    adapters._forget_unfinished_build()
