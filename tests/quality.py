"""Shared helpers for the quality gates: page types, a link crawler, the Nu validator, axe-core, weight."""

import contextlib
import gzip
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.support import ROOT
from thidua.publishing.links import DEEP_MISSING_PATH, ORIGIN, link_problems, url_of  # noqa: F401  (shared with make publish)

PREREQUISITES = "`make test` installs it; see README.md, Prerequisites"
AXE_JS = ROOT / "node_modules/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = (375, 1280)

# Page template types, recognised from the public URL contract (docs: ../shared/CONTRACT.md).
PAGE_TYPES: dict[str, str] = {
    "home": r"index\.html",
    "home, later page": r"trang-\d+/index\.html",
    "article": r"tin-tuc/[^/]+/index\.html",
    "category": r"chuyen-muc/[^/]+/index\.html",
    "tag": r"the/[^/]+/index\.html",
    "localities index": r"dia-phuong/index\.html",
    "locality": r"dia-phuong/[^/]+/index\.html",
    "campaigns index": r"phong-trao/index\.html",
    "campaign": r"phong-trao/[^/]+/index\.html",
    "list, later page": r"(chuyen-muc|the|dia-phuong|phong-trao)/[^/]+/trang-\d+/index\.html",
    "archives": r"luu-tru/index\.html",
    "year archive": r"luu-tru/\d{4}/index\.html",
    "month archive": r"luu-tru/\d{4}/\d{2}/index\.html",
    "day archive": r"luu-tru/\d{4}/\d{2}/\d{2}/index\.html",
    "honour roll": r"bang-vang/(trang-\d+/)?index\.html",
    "statistics": r"thong-ke/index\.html",
    "search": r"tim-kiem/index\.html",
    "feed subscribe": r"(.+/)?theo-doi/index\.html",  # a feed's page for people; axe: other_page_urls
    "404": r"404\.html",
    "draft preview": r"ban-nhap/.+/index\.html",
    "page": r"[^/]+/index\.html",  # static pages: /<slug>/ (checked last)
}
REQUIRED_TYPES = [
    "home",
    "article",
    "page",
    "category",
    "tag",
    "locality",
    "localities index",
    "campaign",
    "campaigns index",
    "archives",
    "year archive",
    "month archive",
    "day archive",
    "404",
    "search",
]
_PAGE_TYPE_RES = [(name, re.compile(pattern)) for name, pattern in PAGE_TYPES.items()]


def page_type(relative: str) -> str:
    """Return the template type of an output HTML file from its path ("other" if unknown)."""
    for name, pattern in _PAGE_TYPE_RES:
        if pattern.fullmatch(relative):
            return name
    return "other"


def pages_by_type(output: Path) -> dict[str, list[str]]:
    """Group every HTML file of a build by template type (relative POSIX paths, sorted)."""
    groups: dict[str, list[str]] = {}
    for path in sorted(output.rglob("*.html")):
        relative = path.relative_to(output).as_posix()
        groups.setdefault(page_type(relative), []).append(relative)
    return groups


# ---------------------------------------------------------------------------------------------
# Nu HTML validator: vnu.jar from the vnu-jar npm package (package.json pins a current release)
# ---------------------------------------------------------------------------------------------

VNU_JAR = ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"


def vnu_command() -> list[str]:
    """Return the java command that runs the vnu.jar installed by npm (Debian's Java; no download)."""
    java = shutil.which("java")
    if not java:
        raise RuntimeError(f"java is not on PATH: the Nu validator needs Java 17 ({PREREQUISITES})")
    if not VNU_JAR.is_file():
        raise RuntimeError(f"vnu.jar is missing at {VNU_JAR.relative_to(ROOT)} ({PREREQUISITES})")
    # Start-up dominates a run over a few dozen pages: the client compiler and serial GC start fastest.
    encoding = ["-Dfile.encoding=UTF-8", "-Dsun.stdout.encoding=UTF-8", "-Dsun.stderr.encoding=UTF-8"]
    return [java, "-Xss2m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", *encoding, "-jar", str(VNU_JAR)]


def vnu_report(text: str) -> dict | None:
    """The JSON report in vnu's output, wherever it starts (releases differ in its first key)."""
    decoder = json.JSONDecoder()
    for brace in re.finditer(r"\{", text):
        try:
            report = decoder.raw_decode(text, brace.start())[0]
        except ValueError:
            continue
        if isinstance(report, dict) and "messages" in report:
            return report
    return None


def validator_errors(files: list[Path], root: Path) -> list[str]:
    """Validate HTML files in ONE vnu run; return one line per error (warnings are not errors)."""
    if not files:
        return []
    completed = subprocess.run(
        [*vnu_command(), "--format", "json", "--no-langdetect", *map(str, files)],
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        env={**os.environ, "LC_ALL": "C.UTF-8"},
        check=False,
    )
    if completed.returncode not in (0, 1):
        raise RuntimeError(f"vnu.jar crashed (exit {completed.returncode}):\n{completed.stderr[-3000:]}")
    text = (completed.stdout + "\n" + completed.stderr).strip()
    report = vnu_report(text)
    if report is None:
        if completed.returncode == 0:
            return []  # vnu prints nothing at all when there is no message
        raise RuntimeError(f"vnu.jar failed without a report (exit {completed.returncode}):\n{text[-3000:]}")
    messages = report["messages"]
    errors = []
    for message in messages:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        url = message.get("url", "")
        where = url.removeprefix("file:")
        if Path(where).is_relative_to(root):
            where = Path(where).relative_to(root).as_posix()
        line = message.get("lastLine", "?")
        extract = message.get("extract", "").strip().replace("\n", " ")[:120]
        errors.append(f"{where}:{line}: {message.get('message')} [{extract}]")
    if completed.returncode == 1 and not errors:
        raise RuntimeError(f"vnu.jar exited 1 but reported no error:\n{text[-3000:]}")
    return errors


def pages_to_validate(output: Path, per_type: int = 12) -> tuple[list[Path], list[str]]:
    """Pick up to `per_type` pages of every template type; also return the required types missing."""
    groups = pages_by_type(output)
    missing = [name for name in REQUIRED_TYPES if not groups.get(name)]
    chosen = [output / relative for name in sorted(groups) for relative in groups[name][:per_type]]
    return chosen, missing


# ---------------------------------------------------------------------------------------------
# Browser helpers (Playwright pages are passed in; nothing here launches a browser)
# ---------------------------------------------------------------------------------------------


def require_axe() -> Path:
    """Return the axe-core script path or raise with the prerequisite to install."""
    if not AXE_JS.is_file():
        raise RuntimeError(f"axe-core is missing at {AXE_JS.relative_to(ROOT)}: run `npm ci` ({PREREQUISITES})")
    return AXE_JS


def axe_violations(page) -> list[str]:
    """Run axe-core (WCAG 2.2 A/AA tags) on a loaded page; return one line per violating node."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(require_axe()))
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
        }""",
        AXE_TAGS,
    )
    lines = []
    for violation in result:
        for node in violation["nodes"]:
            summary = " ".join((node["summary"] or "").split())[:200]
            lines.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']} at {node['target']}: {summary}"
            )
    return lines


def gzip_size(data: bytes) -> int:
    """Return the gzip size of a response body at the level the nginx config uses (6)."""
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def render_blocking_scripts(html: str) -> list[str]:
    """Return the <script> elements in <head> that block rendering (no defer/async/type=module)."""
    import lxml.html

    head = lxml.html.document_fromstring(html).find("head")
    blocking = []
    for script in head.iter("script") if head is not None else []:
        kind = (script.get("type") or "").strip().lower()
        if kind and kind not in ("text/javascript", "application/javascript", "module"):
            continue  # a data block (e.g. application/ld+json) is never executed
        if kind == "module":
            continue
        if script.get("src") is not None and (script.get("defer") is not None or script.get("async") is not None):
            continue  # defer and async have no effect on an inline classic script
        blocking.append(lxml.html.tostring(script, encoding="unicode")[:160])
    return blocking


def short_list(lines: list[str], limit: int = 60) -> str:
    """Join problem lines for an assertion message, capped."""
    shown = "\n".join(lines[:limit])
    return shown + (f"\n… and {len(lines) - limit} more" if len(lines) > limit else "")


@dataclass
class PageLog:
    """What happened while a page was open: errors, failed and third-party requests, finished requests."""

    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    other_hosts: list[str] = field(default_factory=list)
    finished: list = field(default_factory=list)


def watch(page, base_url: str) -> PageLog:
    """Record a page's console errors and requests; abort (and record) any request to another host."""
    log = PageLog()

    def route(route):
        url = route.request.url
        if url.startswith(base_url + "/") or url == base_url:
            route.continue_()
        else:
            log.other_hosts.append(url)
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda message: message.type == "error" and log.console_errors.append(message.text))
    page.on("pageerror", lambda error: log.console_errors.append(f"uncaught: {error}"))
    # A request the browser cancels because the test clicked on to the next page (the favicon
    # still loading) is not a failure: a missing file is an HTTP error below, a refused one
    # another net:: error.
    page.on(
        "requestfailed",
        lambda request: (
            request.failure != "net::ERR_ABORTED" and log.failed_requests.append(f"{request.url}: {request.failure}")
        ),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and log.failed_requests.append(f"HTTP {response.status} {response.url}")
        ),
    )
    page.on("requestfinished", lambda request: log.finished.append(request))
    return log


def richest(output: Path, relatives: list[str]) -> str:
    """Return the largest of some output pages (the one with the most content to check)."""
    return max(relatives, key=lambda relative: ((output / relative).stat().st_size, relative))


def representative_urls(output: Path) -> dict[str, str]:
    """Return the URL of one page per checked template type (the richest of its type)."""
    groups = pages_by_type(output)
    wanted = {
        "home": "home",
        "article": "article",
        "list": "category",
        "locality": "locality",
        "archive": "month archive",
    }
    missing = [kind for kind in wanted.values() if not groups.get(kind)]
    if missing:
        raise RuntimeError(f"no page of type {missing} in {output}")
    urls = {name: url_of(richest(output, groups[kind])) for name, kind in wanted.items()}
    urls["search"] = "/tim-kiem/?q=thi%20%C4%91ua"
    urls["404"] = DEEP_MISSING_PATH
    return urls


def other_page_urls(output: Path) -> dict[str, str]:
    """Return the URL of the richest page of every type not in representative_urls (as they exist)."""
    covered = {"home", "article", "category", "locality", "month archive", "search", "404", "draft preview", "other"}
    groups = pages_by_type(output)
    return {kind: url_of(richest(output, pages)) for kind, pages in sorted(groups.items()) if kind not in covered}


def open_page(page, base_url: str, output: Path, url: str):
    """Open a site URL; a missing path gets 404.html with status 404, as the nginx config serves it."""

    def not_found(route):
        route.fulfill(status=404, content_type="text/html; charset=utf-8", body=(output / "404.html").read_bytes())

    if url == DEEP_MISSING_PATH:
        page.route(base_url + DEEP_MISSING_PATH, not_found)
    page.goto(base_url + url, wait_until="load")
    if "?" in url:  # a page that renders from a query (search) works after load: let it settle
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        with contextlib.suppress(PlaywrightTimeout):  # a page that keeps polling is still checked as it is
            page.wait_for_load_state("networkidle", timeout=5000)
