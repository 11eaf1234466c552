"""Gate: a rebuild that skips unchanged pages gives exactly the site a build from scratch gives.

One editing session on a copy of the fixture site (fictional articles): after each edit, the
incremental build (same output folder and cache, fingerprinted pages not rendered) is compared
byte for byte with a build of the same content into an empty folder with empty caches.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.support import (
    FIXTURE_SITE,
    ROOT,
    WORKER_MODES,
    build_site,
    incremental_build,
    preview_caches,
    preview_session,
    replace_once,
    retitle,
    tree_differences,
)

NEW_ARTICLE = """\
Title: Bài mới thêm trong phiên sửa (bài hư cấu)
Date: 2024-09-06 08:00
Category: Tôn vinh điển hình
Localities: Quảng Trị
Tags: khen thưởng
Id: 0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d99

Dữ liệu thử nghiệm hư cấu, thêm vào để kiểm tra bản dựng tăng dần.
"""


def _edits(content: Path, data: Path):
    """(what, edit, narrow) triples: the kinds of change an editor makes, applied one after the other.

    A narrow edit leaves the shared context's names and URLs alone, so most pages must be skipped;
    the others (a category's name, a feed gone, a data file) render every page again.
    """
    summit = content / "hoi-nghi-tong-ket/tong-ket-cum-thi-dua.md"
    dong_ha = content / "ton-vinh-dien-hinh/dong-ha-khen-thuong.md"
    return [
        ("nothing", lambda: None, True),
        (
            "a paragraph added to the body",
            lambda: summit.write_text(
                summit.read_text(encoding="utf-8") + "\nĐoạn bổ sung khi sửa bài (hư cấu).\n", encoding="utf-8"
            ),
            True,
        ),
        (
            "the first paragraph, which cards show as the summary",
            lambda: replace_once(
                dong_ha, "Thành phố Đông Hà khen thưởng các tập thể", "Thành phố Đông Hà biểu dương các tập thể"
            ),
            True,
        ),
        (
            "a title that related news show",
            lambda: replace_once(dong_ha, "Title: Đông Hà khen thưởng", "Title: Đông Hà biểu dương"),
            True,
        ),
        (
            "a date moved to another month",
            lambda: replace_once(
                content / "hoi-nghi-tong-ket/hoa-thuan-tong-ket.md", "Date: 2023-01-15", "Date: 2024-03-20"
            ),
            True,
        ),
        (
            "a category changed",
            lambda: replace_once(
                content / "ton-vinh-dien-hinh/ton-vinh-cong-dan.md",
                "Category: Tôn vinh điển hình",
                "Category: Hội nghị tổng kết",
            ),
            True,
        ),
        (
            "a locality changed",
            lambda: replace_once(
                content / "phat-dong-phong-trao/hue-sau-sap-xep.md", "Localities: Huế", "Localities: Quảng Trị"
            ),
            False,
        ),
        (
            "a slug given to an honouree's article",
            lambda: replace_once(content / TUAN_GIAO, "Tags: ", "Slug: tuan-giao-ke-hoach\nTags: "),
            True,
        ),
        (
            # The honour roll shows each honouree's article by its title, which no URL changes with.
            "the title of an honouree's article (its URL kept by its slug)",
            lambda: retitle(content / TUAN_GIAO, "Tuần Giáo triển khai kế hoạch mới (bài hư cấu)"),
            True,
        ),
        (
            "an honouree renamed",
            lambda: replace_once(
                content / "phat-dong-phong-trao/tuan-giao-nfd.md", "Trần Văn Mẫu (hư cấu)", "Trần Văn Mẫu Mới (hư cấu)"
            ),
            True,
        ),
        (
            "an article added",
            lambda: (content / "ton-vinh-dien-hinh/bai-moi.md").write_text(NEW_ARTICLE, encoding="utf-8"),
            True,
        ),
        ("an article deleted", lambda: (content / "hoi-nghi-tong-ket/noi-dung-doc-hai.md").unlink(), True),
        *_data_edits(content, data),
    ]


TUAN_GIAO = "phat-dong-phong-trao/tuan-giao-nfd.md"


def _data_edits(content: Path, data: Path):
    """Edits of the site's data files (LOCALITIES_DATA_PATH): no article's file changes with them.

    The alias moved between two declared places changes which place an unchanged article names,
    and so the place its card shows on every list, while the set of places stays the same.
    """
    places, regions = data / "places.toml", data / "regions.toml"
    return [
        (
            "a declared place added to data/places.toml",
            lambda: places.write_text(places.read_text(encoding="utf-8") + NEW_PLACE, encoding="utf-8"),
            False,
        ),
        ("articles naming two declared places added", lambda: _write_place_articles(content), False),
        (
            "an alias moved from one declared place to another in data/places.toml",
            lambda: (
                replace_once(places, 'aliases = ["Cụm thi đua Bắc Trung Bộ"]', "aliases = []"),
                replace_once(places, '["Khối thi đua hư cấu"]', '["Khối thi đua hư cấu", "Cụm thi đua Bắc Trung Bộ"]'),
            ),
            False,
        ),
        (
            "a declared place renamed in data/places.toml (the old name kept as an alias)",
            lambda: (
                replace_once(
                    places, 'name = "Cụm thi đua các tỉnh Bắc Trung Bộ"', 'name = "Cụm thi đua Bắc Trung (hư cấu)"'
                ),
                replace_once(places, "aliases = []", 'aliases = ["Cụm thi đua các tỉnh Bắc Trung Bộ"]'),
            ),
            False,
        ),
        (
            "a declared place's members in data/places.toml",
            lambda: replace_once(places, '"Thanh Hóa", "Nghệ An", ', '"Nghệ An", '),
            False,
        ),
        (
            "a declared place's region in data/places.toml",
            lambda: replace_once(places, 'region = "Bắc Trung Bộ và duyên hải miền Trung"', 'region = "Tây Nguyên"'),
            False,
        ),
        ("the regions reordered in data/regions.toml", lambda: _move_first(regions, TAY_NGUYEN), False),
    ]


NEW_PLACE = """
[khoi-thi-dua-hu-cau]
name = "Khối thi đua các huyện miền núi (hư cấu)"
kind = "Khối thi đua"
aliases = ["Khối thi đua hư cấu"]
members = ["Quảng Bình"]
members_date = 2024-12-31
"""


def _write_place_articles(content: Path) -> None:
    """Add one article naming each declared place, the first by an alias the next edit moves."""
    places = (("bai-cum", "Cụm thi đua Bắc Trung Bộ", "01"), ("bai-khoi", "Khối thi đua hư cấu", "02"))
    for slug, place, number in places:
        text = NEW_ARTICLE.replace("Localities: Quảng Trị", f"Localities: {place}")
        text = text.replace("Title: Bài mới thêm", f"Title: Bài {slug} thêm").replace("5d99", "5e" + number)
        (content / f"hoi-nghi-tong-ket/{slug}.md").write_text(text, encoding="utf-8")


TAY_NGUYEN = '"Tây Nguyên" = ["Kon Tum", "Gia Lai", "Đắk Lắk", "Đắk Nông", "Lâm Đồng"]\n'


def _move_first(regions: Path, line: str) -> None:
    """Move one region's line to the top of the [old] table (its place on /dia-phuong/)."""
    replace_once(regions, line, "")
    replace_once(regions, "[old]\n", "[old]\n" + line)


def _data_copy(tmp_path: Path) -> Path:
    """Return a scratch copy of the site's data folder (the gazetteer and the editors' places)."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    return data


def _skipped() -> int:
    """Return how many pages the last build did not render (reported by the incremental plugin)."""
    from plugins.incremental import last_report

    assert "skipped" in last_report, "the incremental plugin did not report its rebuild"
    # Only the home page is meant to be rendered without a fingerprint; more means a value the
    # fingerprints cannot digest slipped into pages, and they are all rendered every time.
    assert last_report["unkeyed"] <= 1, f"pages rendered without a fingerprint: {last_report}"
    return last_report["skipped"]


def _lists_kept() -> int:
    """Return how many paginated lists the last build kept whole, without building their pages."""
    from plugins.incremental import last_report

    return last_report["lists_kept"]


# Workers off, then on as on large sites: half the pages rendered by a forked page process, feeds
# and the search index made by forked processes too.
WORKERS = WORKER_MODES


@pytest.mark.parametrize("workers", WORKERS.values(), ids=WORKERS.keys())
def test_incremental_rebuilds_equal_builds_from_scratch(tmp_path, workers):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE / "content", content)
    data = _data_copy(tmp_path)
    search_cache = str(tmp_path / "search-cache")  # Pagefind's bytes vary by run; one bundle per input

    def build(output: Path, cache: Path, **overrides):
        return incremental_build(
            output, cache, search_cache, content, LOCALITIES_DATA_PATH=str(data), DEFAULT_PAGINATION=2, **overrides
        )

    incremental, cache = tmp_path / "incremental", tmp_path / "incremental-cache"
    build(incremental, cache, **workers)
    failures = []
    for step, (what, edit, narrow) in enumerate(_edits(content, data)):
        edit()
        build(incremental, cache, **workers)
        skipped, lists_kept = _skipped(), _lists_kept()
        scratch = tmp_path / f"scratch-{step}"
        build(scratch, tmp_path / f"scratch-{step}-cache")
        differences = tree_differences(incremental, scratch)
        if differences:
            failures.append(f"after {what}: {differences}")
        if narrow and skipped == 0:
            failures.append(f"after {what}: no page was skipped, the fingerprints are not used")
        if what == "nothing" and not lists_kept:
            failures.append("after nothing: no paginated list was kept whole (calls.py)")
        shutil.rmtree(scratch)
    assert not failures, "\n".join(failures)


# The edits `make serve` is measured by, and what must follow them: lists, archives, feeds, data.
SERVE_EDITS = (
    "a paragraph added to the body",
    "a title that related news show",
    "a locality changed",
    "an article added",
    "an article deleted",
    "a declared place added to data/places.toml",
    "articles naming two declared places added",
    "an alias moved from one declared place to another in data/places.toml",
)


@pytest.mark.parametrize("workers", WORKERS.values(), ids=WORKERS.keys())
def test_the_preview_serves_after_each_save_what_a_preview_from_scratch_serves(tmp_path, workers):
    """`make serve`'s loop (a `Preview`, quick path included): each save built incrementally into the
    work tree and brought into the served folder gives the folder a preview from scratch gives."""
    from thidua.preview_server import Preview, build_once

    content, data, common = preview_session(tmp_path)

    def preview(output: Path, cache: Path, **more) -> None:
        assert build_once(ROOT, output, overrides={**common, **preview_caches(cache), **more}), "the build failed"

    served = tmp_path / "served"
    session = Preview(ROOT, served, overrides={**common, **preview_caches(tmp_path / "served-cache"), **workers})
    assert session.build(), "the preview build failed"
    page = served / "tin-tuc/xa-thu-nghiem-phat-dong/index.html"
    untouched = page.stat()
    failures = []
    edits = [edit for edit in _edits(content, data) if edit[0] in SERVE_EDITS]
    assert [what for what, _, _ in edits] == list(SERVE_EDITS), "an edit was renamed: update SERVE_EDITS"
    for step, (what, edit, _) in enumerate(edits):
        edit()
        assert session.build(), f"the preview failed after {what}"
        scratch = tmp_path / f"scratch-{step}"
        preview(scratch, tmp_path / f"scratch-{step}-cache")
        differences = tree_differences(served, scratch)
        if differences:
            failures.append(f"after {what}: {differences}")
        if step == 0 and (page.stat().st_ino, page.stat().st_mtime_ns) != (untouched.st_ino, untouched.st_mtime_ns):
            failures.append(f"after {what}: an unchanged article's served page was written again")
        shutil.rmtree(scratch)
    assert not failures, "\n".join(failures)


def test_a_changed_setting_renders_every_page_again(tmp_path):
    output, cache = tmp_path / "out", tmp_path / "cache"
    common = {"CACHE_PATH": str(cache), "DELETE_OUTPUT_DIRECTORY": False, "SEARCH_CACHE_PATH": str(tmp_path / "s")}
    build_site(output, **common)
    build_site(output, SITENAME="Tin thi đua thử nghiệm", **common)
    build_site(output, SITENAME="Tin thi đua thử nghiệm", **common)
    assert _skipped() > 0
    assert "Tin thi đua thử nghiệm" in (output / "tin-tuc/xa-thu-nghiem-phat-dong/index.html").read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize("damage", ["deleted", "edited"])
def test_a_page_changed_outside_the_build_is_rendered_again(tmp_path, damage):
    output, cache = tmp_path / "out", tmp_path / "cache"
    common = {"CACHE_PATH": str(cache), "DELETE_OUTPUT_DIRECTORY": False, "SEARCH_CACHE_PATH": str(tmp_path / "s")}
    build_site(output, **common)
    page = output / "tin-tuc/xa-thu-nghiem-phat-dong/index.html"
    original = page.read_bytes()
    if damage == "deleted":
        page.unlink()
    else:
        page.write_bytes(original.replace(b"</main>", "<p>sửa tay</p></main>".encode()))
    build_site(output, **common)
    assert page.read_bytes() == original


# Each run builds the fixture site into the same folder and cache, then prints the plugin's report.
BUILD_AND_REPORT = """
import json, sys
from pathlib import Path
from tests.support import build_site
from plugins.incremental import last_report
build_site(Path(sys.argv[1]), CACHE_PATH=sys.argv[2], DELETE_OUTPUT_DIRECTORY=False, SEARCH_CACHE_PATH=sys.argv[3])
print("REPORT " + json.dumps(last_report))
"""


def test_fingerprints_do_not_depend_on_the_process_hash_seed(tmp_path):
    """A rebuild in a new process (another string hash seed) renders no fingerprinted page again.

    Three builds: from the sources, then from Pelican's content cache with the same seed (the
    first build from the cache may render a few pages again: its contents are unpickled, not read),
    then from the cache with another seed, which must render nothing.
    """
    import json
    import os
    import subprocess
    import sys

    from tests.support import ROOT

    reports = []
    for seed in ("1", "1", "2"):
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                BUILD_AND_REPORT,
                str(tmp_path / "out"),
                str(tmp_path / "cache"),
                str(tmp_path / "s"),
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-4000:]
        line = next(line for line in result.stdout.splitlines() if line.startswith("REPORT "))
        reports.append(json.loads(line.removeprefix("REPORT ")))
    last = reports[2]
    assert last["fingerprinted"] > 0
    assert last["skipped"] == last["fingerprinted"], (
        f"pages rendered again with nothing changed (a fingerprint depends on the hash seed): {last}"
    )
    assert last["written"] == 0, last


def test_a_failed_page_process_leaves_its_pages_to_the_build_process(tmp_path, monkeypatch, caplog):
    """The page process dies: the build process renders the pages it kept for it, with a warning."""
    import logging

    import plugins.incremental.parallel as parallel

    def fail(*args):
        raise RuntimeError("hỏng thử")

    common = {"SEARCH_CACHE_PATH": str(tmp_path / "s"), "SEARCH_WORKER_MIN_ARTICLES": 1}
    expected = tmp_path / "expected"
    build_site(expected, CACHE_PATH=str(tmp_path / "c1"), **common)
    monkeypatch.setattr(parallel, "render_half", fail)
    output = tmp_path / "out"
    with caplog.at_level(logging.WARNING):
        build_site(output, CACHE_PATH=str(tmp_path / "c2"), INCREMENTAL_RENDER_WORKER_MIN_ARTICLES=1, **common)
    assert "incremental: the page process failed (RuntimeError: hỏng thử); the build process renders its pages" in (
        caplog.text
    )
    # The search index, made from article pages by another process, is made here instead.
    assert "search: the indexing process failed (RuntimeError: the page process ended before writing" in caplog.text
    assert not tree_differences(expected, output)


def test_settings_that_only_spread_the_work_render_nothing_again(tmp_path):
    from plugins.incremental import last_report

    output, cache = tmp_path / "out", tmp_path / "cache"
    common = {"CACHE_PATH": str(cache), "DELETE_OUTPUT_DIRECTORY": False, "SEARCH_CACHE_PATH": str(tmp_path / "s")}
    build_site(output, **common)  # one process
    spread = {"INCREMENTAL_RENDER_WORKER_MIN_ARTICLES": 1, "FEEDS_WORKER_MIN_ARTICLES": 1, "IMAGES_CARD_POOL_MIN": 9}
    # A page fingerprinted in the page process must get the key the build process gave it, and
    # the other way round: whichever process renders a page sees the same articles.
    for share in (0.7, 0.3):
        build_site(output, INCREMENTAL_RENDER_WORKER_SHARE=share, **spread, **common)
        assert last_report["fingerprinted"] > 0
        assert last_report["skipped"] == last_report["fingerprinted"], (share, last_report)


def test_a_plugin_that_notes_pages_without_replaying_them_sees_every_page(tmp_path):
    """A receiver of content_written unknown to calls.py: no list is kept whole, so no page is missed."""
    from pelican import signals

    from plugins.incremental import last_report

    output, cache = tmp_path / "out", tmp_path / "cache"
    common = {
        "CACHE_PATH": str(cache),
        "DELETE_OUTPUT_DIRECTORY": False,
        "SEARCH_CACHE_PATH": str(tmp_path / "s"),
        "DEFAULT_PAGINATION": 2,
    }
    build_site(output, **common)
    seen = []

    def note(path, context):
        seen.append(path)

    signals.content_written.connect(note)
    try:
        build_site(output, **common)
    finally:
        signals.content_written.disconnect(note)
    assert last_report["lists_kept"] == 0
    assert last_report["skipped"] > 0  # its pages are still skipped one by one, and reported
    pages = {p.relative_to(output).as_posix() for p in output.rglob("*.html")}
    reported = {os.path.relpath(p, output).replace(os.sep, "/") for p in seen}
    assert "chuyen-muc/hoi-nghi-tong-ket/trang-2/index.html" in pages
    assert {p for p in pages if "/trang-" in p} <= reported
