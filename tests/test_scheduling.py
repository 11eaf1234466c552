"""Scheduled articles ("hẹn giờ đăng"): a Date after the build's clock keeps an article off every
public page, feed, sitemap and search index until a build at or after that time.

A copy of the fixture site gets two fictional articles dated 2099-01-01 08:00: one published, one
hidden. It is built with the tests' pinned clock (2026) and with the clock at that very minute.
"""

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest

from tests.support import (
    FIXTURE_SITE,
    ROOT,
    WORKER_MODES,
    build_site,
    incremental_build,
    tree_differences,
    write_article,
)

SLUG = "hue-hen-gio-cong-bo-ket-qua-thi-dua-bai-hu-cau"
URL = f"/tin-tuc/{SLUG}/"
HIDDEN_SLUG = "bai-an-hen-gio-bai-hu-cau"
UID = "0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d77"
HONOUREE = "Lê Thị Hẹn Giờ (hư cấu)"
IMAGE = "images/hen-gio-cong-bo.jpg"  # only the scheduled article uses it
SHARED_IMAGE = "images/hoi-nghi-thu-nghiem.jpg"  # a published article uses it too
DUE = "2099-01-01T08:00:00+07:00"  # the articles' Date, Asia/Ho_Chi_Minh
FILE = "content/phat-dong-phong-trao/hen-gio.md"
NOTICE = f"{FILE}:2: hẹn giờ đăng lúc 08:00 ngày 01/01/2099; bài sẽ lên trang ở lần xuất bản đầu tiên từ thời điểm này"
SCHEDULED = f"""\
Title: Huế hẹn giờ công bố kết quả thi đua (bài hư cấu)
Date: 2099-01-01 08:00
Category: Phát động phong trào
Localities: Huế
Campaigns: Mai vàng trước ngõ
Tags: khen thưởng
Honourees: {HONOUREE} | Chiến sĩ thi đua cơ sở | Huế
Image: {IMAGE}
Image_alt: Ảnh thử nghiệm của bài hẹn giờ
Id: {UID}

Dữ liệu thử nghiệm hư cấu: thông báo hẹn giờ đăng.

![Ảnh hội nghị dùng chung (hư cấu)](/{SHARED_IMAGE})
"""
HIDDEN = """\
Title: Bài ẩn hẹn giờ (bài hư cấu)
Date: 2099-01-01 08:00
Category: Hội nghị tổng kết
Localities: Hậu Giang
Status: hidden
Id: 0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d78

Dữ liệu thử nghiệm hư cấu: bài ẩn hẹn giờ.
"""


def scheduled_content(folder: Path) -> Path:
    """Copy the fixture site into `folder`/content and add the two scheduled articles."""
    content = folder / "content"
    shutil.copytree(FIXTURE_SITE / "content", content)
    write_article(content, "phat-dong-phong-trao/hen-gio.md", SCHEDULED)
    write_article(content, "hoi-nghi-tong-ket/bai-an-hen-gio.md", HIDDEN)
    shutil.copy(content / SHARED_IMAGE, content / IMAGE)
    return content


@pytest.fixture(scope="module")
def content(tmp_path_factory):
    return scheduled_content(tmp_path_factory.mktemp("scheduling"))


@pytest.fixture(scope="module")
def sites(content, tmp_path_factory):
    """The strict (publish) build before the articles' time (the pinned clock) and at it."""
    root = tmp_path_factory.mktemp("scheduling-sites")
    before = build_site(root / "before", content=content)
    before_problems = [str(p) for p in before.problems]
    due = build_site(root / "due", content=content, BUILD_DATE=DUE)
    return {"before": before.output, "before_problems": before_problems, "due": due.output}


def links(output: Path, page: str, selector: str = "a[href]") -> set[str]:
    """Return the link targets on one page matching `selector` (none when the page does not exist)."""
    from bs4 import BeautifulSoup

    path = output / page
    if not path.exists():
        return set()
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return {a["href"] for a in soup.select(selector)}


def feed_links(output: Path, feed: str) -> set[str]:
    """Return the item links of one feed, parsed by feedparser."""
    parsed = feedparser.parse((output / feed).read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    return {entry.link for entry in parsed.entries}


def sitemap_text(output: Path) -> str:
    """Return the sitemap (index) and every sitemap it lists, as one text."""
    files = [output / "sitemap.xml", *sorted((output / "sitemaps").glob("*.xml"))]
    return "\n".join(f.read_text(encoding="utf-8") for f in files if f.exists())


def indexed_urls(output: Path) -> set[str]:
    """Return the URL of every page in the Pagefind index (each fragment is gzipped JSON)."""
    urls = set()
    for fragment in (output / "pagefind/fragment").glob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd")
        urls.add(json.loads(data)["url"])
    assert urls, "the search index is empty: the search plugin did not run"
    return urls


LIST_PAGES = {
    "home page": "index.html",
    "category": "chuyen-muc/phat-dong-phong-trao/index.html",
    "locality": "dia-phuong/hue/index.html",
    "campaign": "phong-trao/mai-vang-truoc-ngo/index.html",
    "tag": "the/khen-thuong/index.html",
    "year archive": "luu-tru/2099/index.html",
    "day archive": "luu-tru/2099/01/01/index.html",
}


@pytest.mark.parametrize("page", LIST_PAGES.values(), ids=LIST_PAGES.keys())
def test_a_scheduled_article_is_listed_only_from_its_time(sites, page):
    assert URL not in links(sites["before"], page)
    assert URL in links(sites["due"], page)


def test_the_archive_index_has_no_year_of_a_scheduled_article(sites):
    assert "/luu-tru/2099/" not in links(sites["before"], "luu-tru/index.html")
    assert "/luu-tru/2099/" in links(sites["due"], "luu-tru/index.html")


def test_related_news_of_other_articles_name_it_only_from_its_time(sites):
    page, related = "tin-tuc/hue-phat-dong-thi-dua-sau-sap-xep-bai-hu-cau/index.html", ".td-related a[href]"
    assert URL not in links(sites["before"], page, related)
    assert URL in links(sites["due"], page, related)


FEEDS = [
    "rss.xml",
    "atom.xml",
    "chuyen-muc/phat-dong-phong-trao/rss.xml",
    "dia-phuong/hue/atom.xml",
    "phong-trao/mai-vang-truoc-ngo/rss.xml",
]


@pytest.mark.parametrize("feed", FEEDS)
def test_a_scheduled_article_has_no_feed_item_before_its_time(sites, feed):
    assert not any(link.endswith(URL) for link in feed_links(sites["before"], feed))
    assert any(link.endswith(URL) for link in feed_links(sites["due"], feed))


def test_a_scheduled_article_is_in_the_sitemap_only_from_its_time(sites):
    assert SLUG not in sitemap_text(sites["before"])
    assert SLUG in sitemap_text(sites["due"])


def test_a_scheduled_article_is_in_the_search_index_only_from_its_time(sites):
    assert URL not in indexed_urls(sites["before"])
    assert URL in indexed_urls(sites["due"])


def test_its_honourees_join_the_honour_roll_only_from_its_time(sites):
    def roll(output):
        return (output / "bang-vang/index.html").read_text(encoding="utf-8")

    assert HONOUREE not in roll(sites["before"])
    assert HONOUREE in roll(sites["due"])


def test_a_strict_build_writes_nothing_of_a_scheduled_article(sites):
    """Not even a draft: no file names it, links to it or holds its Id (the search index included)."""
    output = sites["before"]
    markers = ("hen-gio-cong-bo", HIDDEN_SLUG, UID, "hẹn giờ công bố", "Bài ẩn hẹn giờ")
    for path in output.rglob("*"):
        relative = path.relative_to(output).as_posix()
        assert not any(m in relative for m in markers), relative
        if path.is_file() and path.suffix in {".html", ".xml", ".json", ".txt", ".xsl"}:
            text = path.read_text(encoding="utf-8")
            assert not any(m in text for m in markers), f"{relative} names a scheduled article"
    assert URL not in indexed_urls(output)
    assert (output / SHARED_IMAGE).exists()  # still used by a published article
    assert (sites["due"] / IMAGE).exists()
    assert (sites["due"] / f"tin-tuc/{HIDDEN_SLUG}/index.html").exists()  # a hidden one waits too


def test_a_scheduled_article_is_information_not_an_error_in_a_strict_build(sites):
    # The strict build above did not fail; its one line is the notice (the hidden article's too).
    assert sites["before_problems"] == [
        "content/hoi-nghi-tong-ket/bai-an-hen-gio.md:2: hẹn giờ đăng lúc 08:00 ngày 01/01/2099; "
        "bài sẽ lên trang ở lần xuất bản đầu tiên từ thời điểm này",
        NOTICE,
    ]


@pytest.mark.parametrize("preview", [True, False], ids=["make serve", "make html"])
def test_development_builds_it_as_a_draft_and_the_preview_says_when(content, tmp_path, preview):
    build = build_site(tmp_path / "out", content=content, CONTENT_CHECKS_STRICT=False, PREVIEW=preview)
    draft = f"ban-nhap/{SLUG}/index.html"
    assert (build.output / draft).exists()
    banners = [h.get_text(" ", strip=True) for h in build.soup(draft).select(".td-preview-banner__title")]
    assert banners == (["Hẹn giờ đăng: 08:00 ngày 01/01/2099"] if preview else [])
    assert not (build.output / f"tin-tuc/{SLUG}").exists()
    assert URL not in links(build.output, "index.html")
    assert not any(link.endswith(URL) for link in feed_links(build.output, "rss.xml"))
    assert SLUG not in sitemap_text(build.output)
    assert not any(SLUG in url for url in indexed_urls(build.output))
    assert NOTICE in [str(p) for p in build.problems]


def invoke(*args, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).with_name("invoke")), *args],
        cwd=cwd,
        capture_output=True,
        encoding="utf-8",
        timeout=600,
        env={**os.environ, "PYTHONPATH": ""},
    )


def test_invoke_check_lists_a_scheduled_article_as_information(content):
    result = invoke("check", "--content", str(content))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert NOTICE in lines
    assert lines[-2:] == ["Không có vấn đề nào.", "2 ghi chú (thông tin, không phải lỗi)"]


def test_invoke_next_due_prints_the_next_scheduled_time_and_file(content):
    result = invoke("next-due", "--content", str(content))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"{DUE} content/hoi-nghi-tong-ket/bai-an-hen-gio.md"]
    after = invoke("next-due", "--content", str(content), "--after", DUE)
    assert after.stdout.splitlines() == [f"Không có bài nào hẹn giờ đăng sau {DUE}."]
    since = invoke("next-due", "--content", str(content), "--after", "2025-08-31T12:00:00+07:00")
    assert since.stdout.splitlines() == ["2025-09-01T00:00:00+07:00 content/phat-dong-phong-trao/hue-sau-sap-xep.md"]


def documented_timer_script() -> str:
    """Return the script docs/deployment.md tells administrators to install for the timer."""
    text = (ROOT / "docs/deployment.md").read_text(encoding="utf-8")
    after = text[text.index("`/usr/local/bin/thidua-publish-due` (mode 755)") :]
    return after.split("```sh\n", 1)[1].split("```", 1)[0]


def test_the_documented_timer_script_publishes_once_something_is_due_then_waits(tmp_path):
    """The deployment guide's script, run twice in a copy of the project with `make` recorded."""
    project, www, calls = tmp_path / "thidua", tmp_path / "www", tmp_path / "make.log"
    write_article(project / "content", "phat-dong-phong-trao/hen-gio.md", SCHEDULED)
    write_article(
        project / "content", "phat-dong-phong-trao/cu.md", SCHEDULED.replace("2099-01-01 08:00", "2025-01-01")
    )
    shutil.copy(ROOT / "tasks.py", project)
    for name in ("plugins", "pelicanconf.py", "theme", ".venv"):
        (project / name).symlink_to(ROOT / name)
    (project / "cache").mkdir()
    fake = tmp_path / "bin/make"  # a publish that only leaves a site to deploy
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$@" >> {calls}\nmkdir -p output && echo site > output/index.html\n')
    fake.chmod(0o755)
    script = documented_timer_script().replace("/srv/thidua", str(project))
    env = {**os.environ, "PATH": f"{fake.parent}:{os.environ['PATH']}", "DEPLOY_TARGET": f"{www}/", "PYTHONPATH": ""}

    def tick():
        result = subprocess.run(["sh", "-c", script], env=env, capture_output=True, encoding="utf-8", timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        return calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []

    assert tick() == ["publish"]  # no stamp yet: the 2025 article fell due since "the last publish"
    assert (www / "index.html").read_text(encoding="utf-8") == "site\n"
    assert (project / "cache/scheduling-last-publish").exists()
    assert tick() == ["publish"]  # the next one is in 2099: nothing to do


def test_invoke_list_names_next_due():
    assert "next-due" in invoke("--list").stdout


@pytest.mark.parametrize("workers", WORKER_MODES.values(), ids=WORKER_MODES.keys())
def test_an_article_becomes_due_on_a_rebuild_without_any_file_change(tmp_path, workers):
    """Same output folder and caches, only the clock moves: the site equals a build from scratch."""
    content = scheduled_content(tmp_path)
    search_cache = str(tmp_path / "search-cache")  # Pagefind's bytes vary by run; one bundle per input

    def build(output: Path, cache: Path, **overrides):
        return incremental_build(output, cache, search_cache, content, **overrides)

    incremental, cache = tmp_path / "incremental", tmp_path / "incremental-cache"
    build(incremental, cache, **workers)
    steps = [
        ("the clock reaches the date", {"BUILD_DATE": DUE}, lambda: None, True),
        (
            "the article moved later",
            {"BUILD_DATE": DUE},
            lambda: write_article(
                content, "phat-dong-phong-trao/hen-gio.md", SCHEDULED.replace("2099-01-01 08:00", "2099-01-02 08:00")
            ),
            False,
        ),
    ]
    failures = []
    for step, (what, clock, edit, listed) in enumerate(steps):
        edit()
        build(incremental, cache, **clock, **workers)
        assert (URL in links(incremental, "index.html")) is listed, what
        assert any(link.endswith(URL) for link in feed_links(incremental, "rss.xml")) is listed, what
        scratch = tmp_path / f"scratch-{step}"
        build(scratch, tmp_path / f"scratch-{step}-cache", **clock)
        differences = tree_differences(incremental, scratch)
        if differences:
            failures.append(f"after {what}: {differences}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("strict", [True, False], ids=["publish", "preview"])
def test_same_content_settings_and_clock_give_byte_identical_sites(content, tmp_path, strict):
    common = {
        "SEARCH_CACHE_PATH": str(tmp_path / "search-cache"),
        "CONTENT_CHECKS_STRICT": strict,
        "PREVIEW": not strict,
    }
    first = build_site(tmp_path / "first", content=content, CACHE_PATH=str(tmp_path / "c1"), **common)
    second = build_site(tmp_path / "second", content=content, CACHE_PATH=str(tmp_path / "c2"), **common)
    assert tree_differences(first.output, second.output) == []
