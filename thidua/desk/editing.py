"""The article form's helpers over HTTP: suggestions, checks before saving, and the live preview.

The core mounts `router` at /api behind login and CSRF. Importing this module does nothing:
the settings, the gazetteer and the theme's templates are loaded on first use and kept
(`site_for`), so a suggestion or a preview costs milliseconds, not a Pelican start-up.

Checks (POST /kiem-tra) and preview (POST /xem-truoc) work on the text the save would write
(`markdown_from_fields`), written to a scratch file and read by the site's own reader,
`ThiDuaReader`: every rule of one file (`check_source`, slug, image), in `invoke check`'s
words. The rules that need the gazetteer are the same functions the plugins call
(`Gazetteer.resolve` for Localities and each honouree's place, `scheduled_notice` for a future
date). What needs the whole site (two articles with one Id or URL) is left to `invoke check`
and the build the publish runs.
"""

import re
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

from pelican.contents import Article, Category
from pelican.generators import Generator
from pelican.settings import read_settings
from PIL import Image
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route, Router

from plugins.archives.archives import add_filters
from plugins.assets.assets import bundle_css
from plugins.content_checks.header import parse_source
from plugins.content_checks.problems import WARNING, Problem
from plugins.content_checks.reader import ThiDuaReader
from plugins.content_checks.rules import ARTICLE_KEYS
from plugins.content_checks.settings import get_setting
from plugins.honours.model import Honouree, parse_honouree_line
from plugins.images.markup import problem_text
from plugins.scheduling.scheduling import scheduled_notice
from plugins.taxonomies.keys import campaign_key
from plugins.taxonomies.localities import Locality, article_day, home_area, load_settings_gazetteer
from plugins.taxonomies.taxonomies import Campaign
from thidua.clock import build_time
from thidua.vntext import slugify

from . import suggest
from .article_form import markdown_from_fields

ROOT = Path(__file__).resolve().parents[2]
IMAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*\.(jpe?g|png|webp|gif)$")
SCRATCH_NAME = "bai-dang-soan.md"
THEME_SCRIPT = re.compile(r'<script src="[^"<>]*"[^<>]*></script>')
# The preview is a whole page of the site inside the desk: no script may run in it, even one the
# sanitiser missed (the iframe is sandboxed too); it may load the desk's own stylesheet and images.
PREVIEW_POLICY = (
    "sandbox allow-same-origin; default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)


@dataclass
class DeskSite:
    """What the checks and the preview need of one site, loaded once per settings file and content folder."""

    settings: dict
    content: Path
    gazetteer: object
    home: tuple
    lock: threading.Lock = field(default_factory=threading.Lock)  # the reader's Markdown is not thread-safe

    @property
    def reader(self) -> ThiDuaReader:
        reader = self.__dict__.get("_reader")
        if reader is None:
            reader = self.__dict__["_reader"] = ThiDuaReader(self.settings)
        return reader

    @property
    def env(self):
        """Return the theme's Jinja environment, built as Pelican builds it for every generator."""
        env = self.__dict__.get("_env")
        if env is None:
            # Pelican's own constructor, once per process: its generator_init reaches the plugins
            # a build in this process registered (the archives filters, the gc policy's watcher,
            # the incremental plugin's thaw_urls): each is harmless out of a build, and in one it
            # at most makes that build recompute URLs it had memoised.
            with tempfile.TemporaryDirectory(prefix="thidua-desk-") as scratch:
                generator = Generator({}, self.settings, self.settings["PATH"], self.settings["THEME"], scratch)
            add_filters(generator)  # the archives plugin's filters, which Pelican adds on generator_init
            env = self.__dict__["_env"] = generator.env
        return env


@cache
def load_site(settings_file: str, content: str) -> DeskSite:
    """Read the settings (as `invoke check` does) and load the gazetteer; kept for the process."""
    settings = read_settings(settings_file, override={"PATH": content, "PREVIEW": False})
    gazetteer = load_settings_gazetteer(settings)
    return DeskSite(settings, Path(content), gazetteer, home_area(settings, gazetteer))


def site_for(request: Request) -> DeskSite:
    """Return the site of the desk's project (`app.state.desk.root`), else of this checkout."""
    desk = getattr(request.app.state, "desk", None)
    root = Path(desk.root) if desk is not None else ROOT
    with _loading:  # the first requests come together (suggestions, check, preview): one load
        return load_site(str(root / "pelicanconf.py"), str((root / "content").resolve()))


_loading = threading.Lock()


# ---------------------------------------------------------------------------------------------
# Suggestions
# ---------------------------------------------------------------------------------------------


async def suggest_localities(request: Request) -> JSONResponse:
    """GET /goi-y/dia-phuong?q=…&ngay=YYYY-MM-DD: the units an editor may mean, as they type."""
    site = await run_in_threadpool(site_for, request)
    day = _day(request.query_params.get("ngay", ""), site.settings)
    found = suggest.suggest_localities(site.gazetteer, request.query_params.get("q", "")[:100], day)
    items = {s.value: vars(s) for s in reversed(found)}  # one row per spelling: a unit's periods share one
    return JSONResponse({"items": list(reversed(items.values()))})


async def suggest_campaigns(request: Request) -> JSONResponse:
    """GET /goi-y/phong-trao?q=…: campaigns already used in content/, most used first."""
    site = await run_in_threadpool(site_for, request)
    terms = await run_in_threadpool(suggest.cached_terms, site.content)
    return JSONResponse({"items": suggest.match_terms(terms.campaigns, request.query_params.get("q", "")[:100])})


async def suggest_tags(request: Request) -> JSONResponse:
    """GET /goi-y/the?q=…: tags already used in content/."""
    site = await run_in_threadpool(site_for, request)
    terms = await run_in_threadpool(suggest.cached_terms, site.content)
    return JSONResponse({"items": suggest.match_terms(terms.tags, request.query_params.get("q", "")[:100])})


async def list_images(request: Request) -> JSONResponse:
    """GET /goi-y/anh: the images under content/images/ (newest first), for the body's image button."""
    site = await run_in_threadpool(site_for, request)
    folder = site.content / "images"
    files = [p for p in folder.glob("*") if p.is_file() and IMAGE_NAME.match(p.name)] if folder.is_dir() else []
    files.sort(key=lambda p: (-p.stat().st_mtime, p.name))
    return JSONResponse({"items": [f"images/{p.name}" for p in files[:200]]})


async def image(request: Request) -> Response:
    """GET /anh/{name}: one image of content/images/ for the preview (a name, never a path)."""
    site = await run_in_threadpool(site_for, request)
    name = request.path_params["name"]
    path = site.content / "images" / name
    if not IMAGE_NAME.match(name) or not path.is_file():
        return Response(status_code=404)
    return FileResponse(path, headers={"Cache-Control": "private, max-age=60"})


async def preview_css(request: Request) -> Response:
    """GET /xem-truoc/giao-dien.css: the theme's stylesheet, bundled as the assets plugin bundles it."""
    site = await run_in_threadpool(site_for, request)
    data = await run_in_threadpool(_css, Path(site.settings["THEME"]) / "static/css")
    return Response(data, media_type="text/css", headers={"Cache-Control": "private, max-age=60"})


@cache
def _css(folder: Path) -> bytes:
    return bundle_css(folder)


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------


def check_text(site: DeskSite, text: str) -> list[dict]:
    """Return every problem of one article's text, each with the form field it concerns."""
    with site.lock, tempfile.TemporaryDirectory(prefix="thidua-desk-") as scratch:
        path = Path(scratch) / SCRATCH_NAME
        path.write_text(text, encoding="utf-8")
        _content, metadata = site.reader.read(str(path))
    problems = [(p, None) for p in metadata["problems"]]
    problems += plugin_problems(site, metadata)
    lines = field_lines(text)
    found = []
    for problem, index in problems:
        found.append(
            {
                "field": field_of(problem, lines),
                "index": index,
                "line": problem.line,
                "severity": problem.severity,
                "message": f"{problem.message}; {problem.fix}" if problem.fix else problem.message,
            }
        )
    return found


def plugin_problems(site: DeskSite, metadata: dict) -> list[tuple[Problem, int | None]]:
    """Return the problems the taxonomies, honours, images and scheduling plugins report for this article.

    The same calls as those plugins' adapters (resolve_article_units, collect_honourees,
    set_lead_image's missing alternative text, scheduling's notice), with the row each concerns,
    for the field's list. One rule is the desk's own: a lead image needs its caption.
    """
    lines = metadata["header_lines"]
    day = article_day(_Dated(metadata.get("date")))
    found: list[tuple[Problem, int | None]] = []
    raw = metadata.get("localities_raw", [])
    result = site.gazetteer.resolve(raw, day, site.home)
    for p in result.problems:
        found.append((Problem("", lines.get("localities", 1), p.message, p.fix), p.index))
    for row, (line, text) in enumerate(metadata.get("honourees_raw", [])):
        parts = parse_honouree_line(text)
        if parts is None:
            continue  # the reader reported the line
        outcome = site.gazetteer.resolve([parts[2]], day, site.home)  # alone first, as honours does
        if outcome.problems:
            outcome = site.gazetteer.resolve([parts[2], *raw], day, site.home)
        first = [p for p in outcome.problems if p.index == 0]
        if first:
            found.append((Problem("", line, f"Honourees: {first[0].message}", first[0].fix), row))
    if metadata.get("image"):
        if not metadata.get("image_alt"):
            message, fix = problem_text("no_alt", metadata["image"])
            found.append((Problem("", lines.get("image", 1), message, fix, WARNING), None))
        if not metadata.get("image_caption"):
            message, fix = site.settings["THEME_STRINGS"]["desk_form"]["no_caption"].split("; ", 1)
            found.append((Problem("", lines.get("image", 1), message, fix, WARNING), None))
    moment = metadata.get("date")
    if moment and metadata.get("status") == "published" and moment > build_time(site.settings):
        found.append((scheduled_notice("", lines.get("date", 1), moment), None))
    return found


class _Dated:
    def __init__(self, date):
        if date is not None:
            self.date = date


def field_lines(text: str) -> list[tuple[int, int, str]]:
    """Return (first line, last line, form field) of each header key, and the body's lines."""
    source = parse_source(text)
    spans = [(f.line, max((line for line, _ in f.parts), default=f.line), f.key.lower()) for f in source.fields]
    return [*spans, (source.body_line, 10**9, "body")]


def field_of(problem: Problem, lines: list[tuple[int, int, str]]) -> str:
    """Return the form field a problem concerns: the key it names ('thiếu khóa bắt buộc "Category"',
    'thiếu mô tả thay thế (Image_alt)'), else the key on its line."""
    for key in ARTICLE_KEYS:
        if f'"{key}"' in problem.message or f"({key})" in problem.message:
            return key.lower()
    return next((name for first, last, name in lines if first <= problem.line <= last), "title")


async def check(request: Request) -> JSONResponse:
    """POST /kiem-tra: the form's fields → {"problems": [{field, index, severity, message}]}."""
    form = await request.form()
    site = await run_in_threadpool(site_for, request)
    text = markdown_from_fields(form)
    problems = await run_in_threadpool(check_text, site, text)
    return JSONResponse({"problems": problems})


# ---------------------------------------------------------------------------------------------
# Preview
# ---------------------------------------------------------------------------------------------
# How the preview stays within a second of typing: a build of the whole site (even of one
# article, with every plugin: feeds, search index, image variants) takes seconds. The preview
# instead runs the two parts of a build that make an article page: the site's reader on the
# article's text (Markdown, sanitising, metadata, problems) and the theme's article.html in a
# Jinja environment built once, as Pelican builds it (Generator), with the plugins' template
# filters. What the plugins would attach to the article is attached from the same functions:
# the gazetteer's units as Locality terms, campaigns, honourees; the lead image is the original
# file, served by the desk (the site's resized variants are made by the build). Links in the
# preview lead nowhere useful (there is no site behind them): it shows the page, it is not one.


def render_preview(site: DeskSite, text: str, base: str) -> str:
    """Return the article page for one article's text, in the site's theme; `base` is the router's URL."""
    settings = site.settings
    with site.lock, tempfile.TemporaryDirectory(prefix="thidua-desk-") as scratch:
        path = Path(scratch) / SCRATCH_NAME
        path.write_text(text, encoding="utf-8")
        content, metadata = site.reader.read(str(path))
        metadata.setdefault("date", build_time(settings))
        if "category" not in metadata:
            metadata["category"] = Category(get_setting(settings, "CONTENT_CHECKS_CATEGORIES")[0], settings)
        metadata["status"] = "draft"  # never "published": Pelican would compare the date with the clock
        content = re.sub(r'(src|href)="\{static\}/?images/', rf'\1="{base}/anh/', content)
        article = Article(content, metadata, settings=settings, source_path=str(path), context={})
    day = article_day(article)
    result = site.gazetteer.resolve(metadata.get("localities_raw", []), day, site.home)
    article.localities = [Locality(unit, settings) for unit in dict.fromkeys(result.units)]
    article.campaigns = _campaigns(metadata.get("campaigns_raw", []), settings)
    article.honourees = _honourees(site, article, day)
    article.lead_image = _lead_image(site, metadata, base)
    article.related = []
    categories = [(Category(name, settings), []) for name in get_setting(settings, "CONTENT_CHECKS_CATEGORIES")]
    context = {
        **settings,
        "SITEURL": "",
        "CSS_URL": f"{base.lstrip('/')}/xem-truoc/giao-dien.css",
        "article": article,
        "categories": categories,
        "page_name": article.url,
        "output_file": article.save_as,
    }
    html = site.env.get_template("article.html").render(context)
    # The theme's own scripts (search, statistics) have nothing to do in a preview, which runs none.
    return THEME_SCRIPT.sub("", html)


def _campaigns(names: list[str], settings: dict) -> list:
    terms = {}
    for name in names:
        term = terms.setdefault(campaign_key(name), Campaign(name, settings))
        term.slug = slugify(term.name)
    return list(terms.values())


def _honourees(site: DeskSite, article, day) -> list:
    found = []
    for line, text in getattr(article, "honourees_raw", []):
        parts = parse_honouree_line(text)
        if parts:
            found.append(Honouree(*parts, line, day.year, article))
    return found


def _lead_image(site: DeskSite, metadata: dict, base: str) -> dict | None:
    """Return the picture component's parameters for the original lead image, or None."""
    name = (metadata.get("image") or "").removeprefix("images/")
    path = site.content / "images" / name
    if not IMAGE_NAME.match(name) or not path.is_file():
        return None
    try:
        with Image.open(path) as picture:
            width, height = picture.size
    except (OSError, ValueError):
        return None
    return {
        "src": f"{base}/anh/{name}",
        "width": width,
        "height": height,
        "alt": metadata.get("image_alt", ""),
        "caption": metadata.get("image_caption", ""),
        "loading": "eager",
        "sources": [],
        "classes": "td-article__lead-image",
    }


async def preview(request: Request) -> Response:
    """POST /xem-truoc: the form's fields → the article page (HTML, no script may run in it)."""
    form = await request.form()
    site = await run_in_threadpool(site_for, request)
    html = await run_in_threadpool(render_preview, site, markdown_from_fields(form), request.scope.get("root_path", ""))
    return Response(html, media_type="text/html", headers={"Content-Security-Policy": PREVIEW_POLICY})


def _day(value: str, settings: dict):
    """Return the date typed in the form (YYYY-MM-DD…), else today by the site's clock."""
    try:
        return datetime.strptime(value[:10], "%Y-%m-%d").date()
    except ValueError:
        return build_time(settings).date()


router = Router(
    [
        Route("/goi-y/dia-phuong", suggest_localities),
        Route("/goi-y/phong-trao", suggest_campaigns),
        Route("/goi-y/the", suggest_tags),
        Route("/goi-y/anh", list_images),
        Route("/anh/{name}", image),
        Route("/kiem-tra", check, methods=["POST"]),
        Route("/xem-truoc", preview, methods=["POST"]),
        Route("/xem-truoc/giao-dien.css", preview_css),
    ]
)
