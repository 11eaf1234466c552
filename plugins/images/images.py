"""Pelican adapters: responsive variants, Open Graph images and image checks for every article."""

import logging
import os
import re
from pathlib import Path

from pelican import signals
from pelican.contents import Article
from pelican.generators import Generator
from PIL import Image

from plugins.content_checks.reader import display_path
from thidua.memofile import file_stamp, load_dict, save_dict

from . import markup
from .cache import CARD_VARIANT, ImageCache, card_key, draw_cards, font_sha256, publish, variant_key
from .pipeline import EXTENSION_FORMATS, PIPELINE_VERSION, ImageInfo, inspect_image, load_clean, sha256_file
from .workers import ImageWorkers

logger = logging.getLogger(__name__)

DEFAULTS = {
    "IMAGES_WIDTHS": (480, 800, 1200),
    "IMAGES_MAX_PIXELS": 50_000_000,
    "IMAGES_CACHE_PATH": "cache/images",  # relative to the folder that holds content/
    "IMAGES_OUTPUT_DIR": "anh",
    "IMAGES_SIZES": "(min-width: 52rem) 48rem, 100vw",
    "IMAGES_FONT_PATH": "",  # default: <THEME>/fonts/BeVietnamPro-Regular.ttf
    "IMAGES_STRIP_STATIC": True,  # re-write static copies of images without metadata
    # Share cards are drawn by this many worker processes (0: in the build process) when a
    # build needs at least IMAGES_CARD_POOL_MIN new ones; a few are quicker drawn in place.
    "IMAGES_CARD_WORKERS": max(1, (os.cpu_count() or 1) - 1),
    "IMAGES_CARD_POOL_MIN": 64,
}

# Build state: output path → cached file (a Path, or a plain path for the 10,000 share cards);
# cleared on `finalized` so live reload starts clean.
_PUBLISH: dict[str, Path | str] = {}
_STATE: dict = {}
# In the images cache: what was found about each usable image, by its size and modification time.
INSPECTED_FILE = "inspected.pickle"


def apply_defaults(pelican) -> None:
    """Fill in and validate the IMAGES_* settings."""
    _forget_unfinished_build()
    settings = pelican.settings
    for name, value in DEFAULTS.items():
        settings.setdefault(name, value)
    widths = settings["IMAGES_WIDTHS"]
    if not widths or not all(isinstance(w, int) and w > 0 for w in widths):
        raise ValueError("IMAGES_WIDTHS must be a list of positive integers, e.g. (480, 800, 1200)")
    if not isinstance(settings["IMAGES_MAX_PIXELS"], int) or settings["IMAGES_MAX_PIXELS"] <= 0:
        raise ValueError("IMAGES_MAX_PIXELS must be a positive integer, e.g. 50_000_000")
    for name, example in (("IMAGES_CARD_WORKERS", 1), ("IMAGES_CARD_POOL_MIN", 64)):
        value = settings[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a whole number ≥ 0, e.g. {example}")
    font = font_path(settings)
    if not font.is_file():
        raise ValueError(f"IMAGES_FONT_PATH: font {font} not found; set it to a .ttf with Vietnamese glyphs")


def _forget_unfinished_build() -> None:
    """Drop the state of a build that stopped with an error (live reload builds again in-process)."""
    workers = _STATE.get("workers")
    if workers is not None:
        workers.shutdown()
    _PUBLISH.clear()
    _STATE.clear()


def font_path(settings) -> Path:
    """Return the font used for generated share cards."""
    configured = settings.get("IMAGES_FONT_PATH")
    if configured:
        return Path(configured)
    return Path(settings["THEME"]) / "fonts" / "BeVietnamPro-Regular.ttf"


def cache_root(settings) -> Path:
    """Return the cache folder; relative paths start at the folder holding content/."""
    path = Path(settings["IMAGES_CACHE_PATH"])
    if path.is_absolute():
        return path
    return Path(os.path.abspath(settings["PATH"])).parent / path


def report(path: str, line: int, message: str, fix: str, severity: str = "error") -> None:
    """Send one problem to content_checks (or log it when that plugin is absent)."""
    try:
        from plugins.content_checks.problems import Problem
        from plugins.content_checks.problems import report as record
    except ImportError:
        record = None
    if record is not None:  # content_checks prints it, on one line, with every other problem
        record(Problem(path, line, message, fix, severity))
        return
    log = logger.error if severity == "error" else logger.warning
    log("images: %s:%s: %s; %s", path, line, message, fix)


def _cache(settings) -> ImageCache:
    if "cache" not in _STATE:
        _STATE["cache"] = ImageCache(cache_root(settings))
    return _STATE["cache"]


def _url(settings, path: str) -> str:
    return f"{settings.get('SITEURL', '')}/{path}"


def _cached_file(settings, url: str) -> Path:
    """Return the cached file that will be published at url (the inverse of _url)."""
    return _PUBLISH[url[len(settings.get("SITEURL", "")) + 1 :]]


def _published(settings, image: str, info: ImageInfo):
    """Process (or fetch from cache) one image; register its files; return variants with URLs."""
    key, folder, variants = _cache(settings).variants(info, settings["IMAGES_WIDTHS"])
    name = markup.output_name(image)
    rows = []
    for variant in variants:
        path = markup.public_path(settings["IMAGES_OUTPUT_DIR"], key, name, variant)
        _PUBLISH[path] = folder / variant.name
        rows.append((variant, _url(settings, path)))
    return rows


def _share_card(settings, title: str):
    """Return the card's variant and URL; a card not in the cache yet is only planned here.

    Once per title and build: cards are planned before the photographs are processed
    (plan_share_cards) and asked for again as each article gets its images.
    """
    known = _STATE.setdefault("card_for", {})
    if title not in known:
        known[title] = _plan_card(settings, title)
    return known[title]


def _card_key(settings, title: str) -> str:
    if "font_sha256" not in _STATE:  # one font for every card of a build
        _STATE["font_sha256"] = font_sha256(font_path(settings))
    return card_key(settings.get("SITENAME", ""), title, _STATE["font_sha256"])


def _plan_card(settings, title: str):
    store = _cache(settings)
    key = _card_key(settings, title)
    workers = _STATE.get("workers")
    handed = workers.handed_cards if workers is not None else ()
    if key not in handed and not store.stored(key):
        _STATE.setdefault("cards", {})[key] = title
    path = f"{settings['IMAGES_OUTPUT_DIR']}/the/{key[:12]}.png"
    _PUBLISH[path] = store.card_file(key)
    _STATE.setdefault("card_paths", set()).add(path)
    return CARD_VARIANT, _url(settings, path)


def retitled_card(article, settings, output: Path) -> tuple[str, str]:
    """Give an article drawn on a share card (no usable lead image) the card of its new title.

    For the preview's quick path, outside a build: the card is drawn here if the cache lacks it,
    published into output and set as the article's Open Graph image, as set_lead_image does.
    Return the output paths of the old card and the new one.
    """
    prefix = f"{settings.get('SITEURL', '')}/"
    old = article.og_image["url"][len(prefix) :]
    title = str(getattr(article, "title", ""))
    try:
        store = _cache(settings)
        if not store.stored(_card_key(settings, title)):
            draw_cards(str(store.root), settings.get("SITENAME", ""), [title], str(font_path(settings)))
        variant, url = _share_card(settings, title)
        article.og_image = markup.og_params(url, variant, f"{settings.get('SITENAME', '')}: {title}")
        publish_all(output)
    finally:  # as at the end of a build: the next one starts clean
        _PUBLISH.clear()
        _STATE.clear()
    return old, url[len(prefix) :]


def start_cards(settings) -> None:
    """Draw the planned share cards: in worker processes for many, here for a few.

    Workers draw while the main process renders pages; cards are only needed on disk when
    they are published at the end of the build (finish_cards).
    """
    titles = sorted(set(_STATE.pop("cards", {}).values()))
    if not titles:
        return
    workers = settings["IMAGES_CARD_WORKERS"]
    if "workers" not in _STATE and (workers < 1 or len(titles) < settings["IMAGES_CARD_POOL_MIN"]):
        store = _cache(settings)
        store.processed += draw_cards(str(store.root), settings.get("SITENAME", ""), titles, str(font_path(settings)))
        return
    _workers(settings).hand_over_cards(titles)


def _workers(settings) -> ImageWorkers:
    """Return the build's image worker processes, starting them if need be."""
    if "workers" not in _STATE:
        _STATE["workers"] = ImageWorkers(
            _cache(settings),
            settings.get("SITENAME", ""),
            str(font_path(settings)),
            settings["IMAGES_WIDTHS"],
            settings["IMAGES_CARD_WORKERS"],
        )
    return _STATE["workers"]


AHEAD_PROBE = 64  # articles read with nothing to make for the images: the cache is warm, stop looking


def work_ahead(content) -> None:
    """Answer content_object_init: hand what a just-read article's images need to a worker.

    On a build from scratch the build process reads Markdown for about 20 s (10,000 articles)
    with the second core idle, while each article read already tells what its images need: a
    photograph's variants or a share card. A worker fills the cache with them meanwhile,
    photographs first (process_articles waits for those). What is published is still decided
    by process_articles, from the finished articles; this only warms the cache.
    """
    settings = getattr(content, "settings", None) or {}
    # Not an article, or made outside a build with this plugin (whose settings lack its defaults).
    if not isinstance(content, Article) or settings.get("IMAGES_CARD_WORKERS", 0) < 1:
        return
    ahead = _STATE.get("ahead")
    if ahead is None:
        ahead = _STATE["ahead"] = {"images": [], "cards": [], "keys": set(), "idle": 0}
    if ahead["idle"] >= AHEAD_PROBE:
        return
    before = len(ahead["keys"])
    _, result = _lead_image(content, settings)
    if isinstance(result, ImageInfo):
        key = variant_key(result.sha256, settings["IMAGES_WIDTHS"])
        if key not in ahead["keys"] and not _cache(settings).stored(key):
            ahead["keys"].add(key)
            ahead["images"].append(result)
    else:
        title = str(getattr(content, "title", ""))
        key = _card_key(settings, title)
        if key not in ahead["keys"] and not _cache(settings).stored(key):
            ahead["keys"].add(key)
            ahead["cards"].append((key, title))
    if "workers" in _STATE:
        _STATE["workers"].feed(ahead["images"], ahead["cards"])
    elif len(ahead["images"]) + len(ahead["cards"]) >= settings["IMAGES_CARD_POOL_MIN"]:
        _workers(settings).feed(ahead["images"], ahead["cards"])  # enough to be worth the workers
    elif len(ahead["keys"]) == before:
        ahead["idle"] += 1


def wait_for_variants(settings) -> None:
    """Wait for the photographs handed to the workers while reading; those still queued (and
    any a failed worker left) are made by this process, which finds them missing from the cache."""
    _STATE.pop("ahead", None)
    if "workers" in _STATE:
        _STATE["workers"].wait_for_photographs()


def finish_cards(settings) -> None:
    """Wait for the workers; a failed batch is drawn here so that no card is ever missing."""
    workers = _STATE.pop("workers", None)
    if workers is not None:
        workers.finish()


def publish_all(output: Path, skip=frozenset()) -> None:
    """Link every cached file this build uses into the output folder (but those in skip)."""
    for relative, source in sorted(_PUBLISH.items()):
        if relative not in skip:
            publish(source, os.path.join(output, relative))  # plain paths: 10,000 cards a build


def _line_of(source_path: str, needle: str, default: int = 1) -> int:
    """Return the first line of a source file that contains needle."""
    try:
        for number, line in enumerate(Path(source_path).read_text(encoding="utf-8").splitlines(), 1):
            if needle in line:
                return number
    except OSError:
        pass
    return default


def _inspect(settings, image: str):
    return _inspect_file(settings, os.path.join(settings["PATH"], *image.split("/")))


def _inspect_file(settings, path: str):
    """inspect_image, once per file and build: many articles share an image, and decoding is slow."""
    known = _STATE.setdefault("inspected", {})
    if path not in known:
        known[path] = _inspect_unless_known(settings, path)
    return known[path]


def _inspect_unless_known(settings, path: str):
    """Return what the last builds found about a usable image whose file is unchanged, else inspect it.

    Only usable images are remembered, by size and modification time (as Pelican's own content
    cache knows source files); a problem is looked for again on every build, so it is reported.
    """
    memo = _inspected_memo(settings)
    found = file_stamp(path)
    if found is None:
        return inspect_image(path, settings["IMAGES_MAX_PIXELS"])
    stamp = (*found, settings["IMAGES_MAX_PIXELS"])
    entry = memo.get(path)
    if entry is not None and entry[0] == stamp:
        return entry[1]
    result = inspect_image(path, settings["IMAGES_MAX_PIXELS"])
    if isinstance(result, ImageInfo):
        memo[path] = (stamp, result)
        _STATE["inspected_changed"] = True
    return result


def _inspected_memo(settings) -> dict:
    if "inspected_memo" not in _STATE:
        stored = load_dict(cache_root(settings) / INSPECTED_FILE)
        fresh = stored.get("version") == PIPELINE_VERSION and isinstance(stored.get("entries"), dict)
        _STATE["inspected_memo"] = stored["entries"] if fresh else {}
    return _STATE["inspected_memo"]


def save_inspected(settings) -> None:
    """Keep what this build learnt about images for the next (atomically)."""
    if not _STATE.get("inspected_changed"):
        return
    save_dict(cache_root(settings) / INSPECTED_FILE, {"version": PIPELINE_VERSION, "entries": _STATE["inspected_memo"]})


def set_lead_image(article, settings) -> None:
    """Set article.lead_image and article.og_image (a generated card without a usable image)."""
    article.lead_image = None
    article.og_image = None
    lines = getattr(article, "header_lines", {}) or {}
    image, result = _lead_image(article, settings)
    alt = getattr(article, "image_alt", None) or ""
    caption = getattr(article, "image_caption", None) or ""
    if result is not None:
        if isinstance(result, ImageInfo):
            rows = _published(settings, image, result)
            article.lead_image = markup.picture_params(rows, alt, caption, settings["IMAGES_SIZES"], "eager")
            article.lead_image["original"] = next(url for v, url in rows if v.role == "original")
            og = next((v, url) for v, url in rows if v.role == "og")
            article.og_image = markup.og_params(og[1], og[0], alt)
            # Its size in bytes, for feed enclosures: feeds need not wait for the file to be published.
            article.og_image["length"] = _cached_file(settings, og[1]).stat().st_size
            if not alt:
                message, fix = markup.problem_text("no_alt", image)
                report(
                    display_path(article.source_path, settings),
                    lines.get("image_alt", lines.get("image", 1)),
                    message,
                    fix,
                    "warning",
                )
        else:
            message, fix = markup.describe(result, image)
            report(display_path(article.source_path, settings), lines.get("image", 1), message, fix, "error")
    if article.og_image is None:
        title = str(getattr(article, "title", ""))
        variant, url = _share_card(settings, title)
        article.og_image = markup.og_params(url, variant, f"{settings.get('SITENAME', '')}: {title}")


def forget_rendered(article) -> None:
    """Drop Pelican's memoized content and summary of this article after a rewrite."""
    for method in (type(article).get_content, type(article).get_summary):
        cache = getattr(method, "cache", {})
        for key in [k for k in cache if k and k[0] is article]:
            del cache[key]


_IMG_TAG = re.compile(r"<img", re.IGNORECASE)  # a search, not a lowercased copy of every body


def rewrite_body_images(article, settings, render) -> None:
    """Replace the article's local `<img>` tags with lazy `<picture>`s of published variants."""
    content = getattr(article, "_content", None)
    if not content or not _IMG_TAG.search(content):
        return
    where = display_path(article.source_path, settings)
    article_dir = os.path.dirname(article.relative_source_path).replace(os.sep, "/")

    def replace(attrs, alone):
        src = attrs.get("src", "")
        image = markup.content_relative(src, article_dir)
        if not image or os.path.splitext(image)[1].lower() not in {*EXTENSION_FORMATS, ".bmp", ".tif", ".tiff"}:
            return None
        result = _inspect(settings, image)
        line = _line_of(article.source_path, src.split("}", 1)[-1].lstrip("/") or src)
        if not isinstance(result, ImageInfo):
            message, fix = markup.describe(result, image, key="chứa ảnh")
            report(where, line, message, fix, "error")
            return None
        alt = attrs.get("alt", "")
        if not alt:
            message, fix = markup.problem_text("no_alt_body", image)
            report(where, line, message, fix, "warning")
        params = markup.picture_params(
            _published(settings, image, result), alt, attrs.get("title", ""), settings["IMAGES_SIZES"], "lazy"
        )
        params["figure"] = alone
        return str(render(params))

    rewritten = markup.rewrite_body(content, replace)
    if rewritten != content:
        article._content = rewritten
        forget_rendered(article)


def _renderer(generator):
    """Return the theme's picture macro, or the Python twin when the theme lacks it."""
    try:
        return generator.env.get_template("components/picture.html").module.picture
    except Exception:  # noqa: BLE001 - any template problem falls back to plain markup
        return markup.render_picture


def process_articles(generator) -> None:
    """Give every article its lead image, Open Graph image and responsive body images."""
    settings = generator.settings
    render = _renderer(generator)
    articles = list(getattr(generator, "articles", []))
    for attr in ("translations", "drafts", "drafts_translations", "hidden_articles", "hidden_translations"):
        articles += getattr(generator, attr, [])
    # The photographs handed to the worker while reading first (this process makes those still
    # missing), then the cards: which articles get one is known from inspecting their images
    # alone, so the worker draws the cards left while this process goes on.
    wait_for_variants(settings)
    plan_share_cards(articles, settings)
    start_cards(settings)
    for article in articles:
        try:
            set_lead_image(article, settings)
            rewrite_body_images(article, settings, render)
        except Exception as error:  # noqa: BLE001 - an image must never stop the build
            report(display_path(article.source_path, settings), 1, f"không xử lý được ảnh: {error}", "báo cho kỹ thuật")
    start_cards(settings)  # any planned since: none, as both passes decide alike; no card is ever lost


def plan_share_cards(articles, settings) -> None:
    """Plan the share card of every article that will get one: those without a usable lead image."""
    for article in articles:
        if not isinstance(_lead_image(article, settings)[1], ImageInfo):
            _share_card(settings, str(getattr(article, "title", "")))


def _lead_image(article, settings):
    """Return the article's lead image path (None without one) and its inspection (ImageInfo or a problem)."""
    image = getattr(article, "image", None)
    if not image:
        return None, None
    image = image.strip().lstrip("/")
    return image, _inspect(settings, image)


def process_pages(generator) -> None:
    """Give pages responsive body images (pages have no lead image)."""
    settings = generator.settings
    render = _renderer(generator)
    for page in list(getattr(generator, "pages", [])) + list(getattr(generator, "hidden_pages", [])):
        try:
            rewrite_body_images(page, settings, render)
        except Exception as error:  # noqa: BLE001
            report(display_path(page.source_path, settings), 1, f"không xử lý được ảnh: {error}", "báo cho kỹ thuật")


class ImagesGenerator(Generator):
    """Publish the cached variants that articles use into the output folder."""

    def generate_context(self):
        pass

    def generate_output(self, writer):
        if "workers" in _STATE:
            # Photographs now (feeds read their published size), cards once drawn (finish_build).
            publish_all(Path(self.output_path), skip=_STATE.get("card_paths", set()))
            return
        publish_all(Path(self.output_path))
        logger.info("images: %d files published, %d images processed", len(_PUBLISH), _cache(self.settings).processed)


def get_generator(pelican):
    """Hand Pelican the generator that publishes image variants."""
    return ImagesGenerator


def finish_build(pelican) -> None:
    """Publish what waited for the card workers, then forget this build's state (live reload starts clean)."""
    try:
        save_inspected(pelican.settings)
        if "workers" in _STATE:
            finish_cards(pelican.settings)
            publish_all(Path(pelican.output_path))
            logger.info(
                "images: %d files published, %d images processed", len(_PUBLISH), _cache(pelican.settings).processed
            )
    finally:
        _PUBLISH.clear()
        _STATE.clear()


def clean_static_images(generator) -> None:
    """Point Pelican's static copies of images at metadata-free cached files before they are
    copied, so /images/… never carries EXIF and an unchanged image is never rewritten."""
    settings = generator.settings
    if not settings.get("IMAGES_STRIP_STATIC", True):
        return
    staticfiles = generator.context.get("staticfiles", generator.staticfiles)
    keep = []
    for static in staticfiles:
        if os.path.splitext(static.source_path)[1].lower() in EXTENSION_FORMATS:
            clean = clean_copy(settings, static.source_path)
            if clean is None:
                continue  # never publish a file we cannot clean; the article check names it
            # Pelican derives the output path from the source path: pin it before the swap.
            static.override_save_as, static.override_url = static.save_as, static.url
            static.source_path = str(clean)
        keep.append(static)
    staticfiles[:] = keep


def clean_copy(settings, source: str) -> Path | None:
    """Return the cached metadata-free copy of an image, or None when it cannot be decoded."""
    result = _inspect_file(settings, source)
    if not isinstance(result, ImageInfo):
        return None
    if result.format == "GIF":
        target = cache_root(settings) / "gif" / f"{sha256_file(source)}.gif"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            load_clean(source).convert("P", palette=Image.Palette.ADAPTIVE).save(temporary, "GIF")
            os.replace(temporary, target)
        return target
    _, folder, variants = _cache(settings).variants(result, settings["IMAGES_WIDTHS"])
    return folder / next(v for v in variants if v.role == "original").name


def register():
    """Connect the image pipeline to Pelican's signals."""
    signals.initialized.connect(apply_defaults)
    signals.content_object_init.connect(work_ahead)
    signals.article_generator_finalized.connect(process_articles)
    signals.page_generator_finalized.connect(process_pages)
    signals.get_generators.connect(get_generator)
    signals.static_generator_finalized.connect(clean_static_images)
    signals.finalized.connect(finish_build)
