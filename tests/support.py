"""Helpers for functional tests: build real sites with pinned settings, serve them, open Chromium."""

import contextlib
import filecmp
import functools
import http.server
import logging
import shutil
import socketserver
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from pelican import Pelican  # noqa: E402
from pelican.settings import read_settings  # noqa: E402

FIXTURE_SITE = ROOT / "tests/fixtures/site"
EXPECTED_TREE = ROOT / "tests/expected/site"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Everything that could vary between machines or days is pinned here.
PINNED = {
    "TIMEZONE": "Asia/Ho_Chi_Minh",
    "BUILD_DATE": "2026-01-01T00:00:00+07:00",
    "SITEURL": "",
    "CONTENT_CHECKS_STRICT": True,
    "DELETE_OUTPUT_DIRECTORY": True,
    # A developer's own statistics database must never leak into test builds.
    "VISITOR_STATS_DB": str(ROOT / "tests/fixtures/no-such-stats.sqlite3"),
}
FIXTURE_OVERRIDES = {"DEFAULT_PAGINATION": 2, "SITEURL": ""}
# Workers off, then on as on large sites: half the pages rendered by a forked page process, feeds
# and the search index made by forked processes too (the equivalence tests run both).
WORKER_MODES = {
    "in one process": {},
    "with worker processes": {
        "INCREMENTAL_RENDER_WORKER_MIN_ARTICLES": 1,
        "FEEDS_WORKER_MIN_ARTICLES": 1,
        "SEARCH_WORKER_MIN_ARTICLES": 1,
    },
}


@dataclass
class Build:
    """What a build produced: its output folder and the content problems it found."""

    output: Path
    problems: list

    def html(self, relative: str) -> str:
        """Return the text of one output file."""
        return (self.output / relative).read_text(encoding="utf-8")

    def soup(self, relative: str):
        """Return one output page parsed with BeautifulSoup."""
        from bs4 import BeautifulSoup

        return BeautifulSoup(self.html(relative), "html.parser")


def build_site(
    output: Path,
    content: Path | None = None,
    settings_file: str = "pelicanconf.py",
    **overrides,
) -> Build:
    """Build `content` (default: the fixture site) into `output` in-process with pinned settings."""
    from plugins.content_checks import problems as registry

    content = content or FIXTURE_SITE / "content"
    if content == FIXTURE_SITE / "content":
        overrides = {**FIXTURE_OVERRIDES, **overrides}
    settings = read_settings(
        str(ROOT / settings_file),
        override={**PINNED, "PATH": str(content), "OUTPUT_PATH": str(output), **overrides},
    )
    Pelican(settings).run()
    return Build(output, registry.all_problems())


def incremental_build(output: Path, cache: Path, search_cache: str, content: Path, **overrides) -> Build:
    """Build into a folder kept from the last build, with every cache of ours under `cache`.

    The search cache is shared between incremental and from-scratch builds: Pagefind's bytes vary
    by run, so one bundle per input keeps the two comparable.
    """
    return build_site(
        output,
        content=content,
        DELETE_OUTPUT_DIRECTORY=False,
        CACHE_PATH=str(cache),
        LOCALITIES_CACHE_PATH=str(cache / "gazetteer"),
        IMAGES_CACHE_PATH=str(cache / "images"),
        SEARCH_CACHE_PATH=search_cache,
        **overrides,
    )


def preview_session(tmp_path: Path) -> tuple[Path, Path, dict]:
    """Return a copy of the fixture site's content and data folder, and the settings `make serve`
    previews them with (pinned clock, two articles per list page, search cache shared by builds)."""
    content, data = tmp_path / "content", tmp_path / "data"
    shutil.copytree(FIXTURE_SITE / "content", content)
    shutil.copytree(ROOT / "data", data)
    settings = {
        **PINNED,
        "PATH": str(content),
        "CONTENT_CHECKS_STRICT": False,
        "DEFAULT_PAGINATION": 2,
        "LOCALITIES_DATA_PATH": str(data),
        "SEARCH_CACHE_PATH": str(tmp_path / "search-cache"),
    }
    return content, data, settings


def preview_caches(cache: Path) -> dict:
    """Return the cache settings of one preview (each build from scratch gets empty ones)."""
    return {"CACHE_PATH": str(cache), "LOCALITIES_CACHE_PATH": str(cache / "g"), "IMAGES_CACHE_PATH": str(cache / "i")}


def retitle(path: Path, title: str) -> None:
    """Give a fixture article a new Title line (replaced whole: some fixture titles are in NFD)."""
    head, rest = path.read_text(encoding="utf-8").split("\n", 1)
    assert head.startswith("Title: "), f"{path.name} does not start with its title: update this test"
    path.write_text(f"Title: {title}\n{rest}", encoding="utf-8")


def replace_once(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a fixture file by `new`, failing clearly when the fixture changed."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}: the fixture changed, update this test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def write_article(folder: Path, name: str, text: str) -> Path:
    """Write one article into a scratch content folder (creating it) and return its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def strict_build_problems(content: Path, output: Path) -> list[str]:
    """Build content strictly, expecting it to fail on content errors; return the problem lines."""
    import pytest

    from plugins.content_checks.content_checks import ContentErrors
    from plugins.content_checks.problems import all_problems

    with pytest.raises(ContentErrors):
        build_site(output, content=content)
    return [str(p) for p in all_problems()]


# Binary search-index bundle: not reviewable in a diff. Its determinism is checked by the
# determinism gate, its content by the search tests.
EXPECTED_TREE_IGNORES = ["pagefind"]


def tree_differences(left: Path, right: Path, ignore: list[str] | None = None) -> list[str]:
    """Return the relative paths that differ between two folders (missing, extra or changed)."""
    found: list[str] = []

    def walk(comparison: filecmp.dircmp, prefix: str) -> None:
        found.extend(f"{prefix}{name} (only in {comparison.left})" for name in comparison.left_only)
        found.extend(f"{prefix}{name} (only in {comparison.right})" for name in comparison.right_only)
        for name in comparison.common_files:
            if (Path(comparison.left) / name).read_bytes() != (Path(comparison.right) / name).read_bytes():
                found.append(f"{prefix}{name}")
        for name, sub in comparison.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right, ignore=ignore or []), "")
    return sorted(found)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """Serve a folder on a free loopback port; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()


@contextlib.contextmanager
def chromium():
    """Launch Debian's Chromium through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def update_expected() -> None:
    """Rebuild the fixture site into tests/expected/site."""
    logging.basicConfig(level=logging.WARNING)
    shutil.rmtree(EXPECTED_TREE, ignore_errors=True)
    build_site(EXPECTED_TREE)
    for name in EXPECTED_TREE_IGNORES:
        shutil.rmtree(EXPECTED_TREE / name, ignore_errors=True)
    print(f"updated {EXPECTED_TREE.relative_to(ROOT)}")


if __name__ == "__main__":
    if sys.argv[1:] == ["update-expected"]:
        update_expected()
    else:
        sys.exit("usage: python -m tests.support update-expected")
