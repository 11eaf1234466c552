import shutil
import sys
from pathlib import Path

import pytest
from pelican import signals

from tests.support import PINNED, ROOT, write_article
from thidua.preview_server import build_once, work_tree
from thidua.preview_server.sync import bring_in, bring_in_files, changes

BAD = """Title: Bài còn lỗi (hư cấu)
Date: 2024-02-30
Category: Hội nghị tổng kết
Localities: Hậu Giang

Nội dung thử nghiệm hư cấu.
"""
GOOD = BAD.replace("2024-02-30", "2024-02-03").replace("Bài còn lỗi", "Bài đúng")
OTHER = GOOD.replace("Bài đúng", "Bài khác").replace("Nội dung thử nghiệm", "Nội dung khác")
BANNER_TEXT = "content/loi.md:2: ngày &#34;2024-02-30&#34; không tồn tại; kiểm tra lại ngày và tháng"
GOOD_PAGE = "tin-tuc/bai-dung-hu-cau/index.html"
OTHER_PAGE = "tin-tuc/bai-khac-hu-cau/index.html"


def site(tmp_path: Path) -> tuple[Path, Path, dict]:
    """A scratch site of two articles and one with a content error: its content, output and overrides."""
    content = tmp_path / "content"
    write_article(content, "tot.md", GOOD)
    write_article(content, "khac.md", OTHER)
    write_article(content, "loi.md", BAD)
    overrides = {**PINNED, "PATH": str(content), "CONTENT_CHECKS_STRICT": False, "CACHE_PATH": str(tmp_path / "cache")}
    return content, tmp_path / "output", overrides


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_preview_shows_content_errors_as_a_banner_on_the_page(tmp_path):
    _, output, overrides = site(tmp_path)
    assert build_once(ROOT, output, overrides=overrides)
    page = (output / "ban-nhap/bai-con-loi-hu-cau/index.html").read_text(encoding="utf-8")
    assert "td-preview-banner" in page
    assert BANNER_TEXT in page


def test_published_builds_never_show_the_banner(fixture_build):
    for path in Path(fixture_build.output).rglob("*.html"):
        assert "td-preview-banner" not in path.read_text(encoding="utf-8")


def test_a_body_edit_is_served_and_unchanged_pages_are_left_alone(tmp_path):
    content, output, overrides = site(tmp_path)
    assert build_once(ROOT, output, overrides=overrides)
    other = output / OTHER_PAGE
    before = other.stat()
    (content / "tot.md").write_text(GOOD + "\nĐoạn mới khi sửa bài (hư cấu).\n", encoding="utf-8")
    assert build_once(ROOT, output, overrides=overrides)
    assert "Đoạn mới khi sửa bài" in (output / GOOD_PAGE).read_text(encoding="utf-8")
    after = other.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # The draft with a content error is still shown with its banner.
    assert BANNER_TEXT in (output / "ban-nhap/bai-con-loi-hu-cau/index.html").read_text(encoding="utf-8")
    assert not list(output.rglob("*.preview-tmp"))


@pytest.mark.parametrize("breakage", ["a template error", "a plugin raising"])
def test_a_failed_rebuild_keeps_the_last_good_site(tmp_path, breakage):
    content, output, overrides = site(tmp_path)
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    overrides["THEME"] = str(theme)
    assert build_once(ROOT, output, overrides=overrides)
    before = snapshot(output)
    # A body edit, then a build that fails after writing the article pages (lists come later):
    # the work tree holds the new page, the served folder must not.
    (content / "tot.md").write_text(GOOD + "\nĐoạn mới khi sửa bài (hư cấu).\n", encoding="utf-8")
    broken = dict(overrides)
    if breakage == "a template error":
        (theme / "templates/locality.html").write_text("{{ locality.no_such_method() }}", encoding="utf-8")
        assert not build_once(ROOT, output, overrides=broken)
    else:
        broken.update(failing_plugin(tmp_path))
        try:
            assert not build_once(ROOT, output, overrides=broken)
        finally:  # a plugin once loaded stays connected to Pelican's signals for the process's life
            signals.article_writer_finalized.disconnect(sys.modules["hong"].fail)
    assert "Đoạn mới khi sửa bài" in (work_tree(output) / GOOD_PAGE).read_text(encoding="utf-8")
    assert snapshot(output) == before
    assert BANNER_TEXT in (output / "ban-nhap/bai-con-loi-hu-cau/index.html").read_text(encoding="utf-8")
    shutil.rmtree(theme)
    shutil.copytree(ROOT / "theme", theme)  # the error fixed: the next save is served
    assert build_once(ROOT, output, overrides=overrides)
    assert "Đoạn mới khi sửa bài" in (output / GOOD_PAGE).read_text(encoding="utf-8")


FAILING_PLUGIN = """
from pelican import signals


def fail(generator, writer=None):
    raise RuntimeError("plugin hỏng (thử nghiệm)")


def register():
    signals.article_writer_finalized.connect(fail)
"""


def failing_plugin(tmp_path: Path) -> dict:
    """Return settings adding a plugin that raises once the article pages are written."""
    from pelican.settings import read_settings

    folder = tmp_path / "more-plugins"
    write_article(folder, "hong/__init__.py", FAILING_PLUGIN)
    base = read_settings(str(ROOT / "pelicanconf.py"))
    return {"PLUGIN_PATHS": [*base["PLUGIN_PATHS"], str(folder)], "PLUGINS": [*base["PLUGINS"], "hong"]}


@pytest.mark.parametrize(
    ("work", "served", "expected"),
    [
        ({"a": (1, 1)}, {"a": (1, 1)}, ([], [])),
        ({"a": (1, 2)}, {"a": (1, 1)}, (["a"], [])),
        ({"a": (1, 1), "b": (2, 2)}, {"a": (1, 1)}, (["b"], [])),
        ({"a": (1, 1)}, {"a": (1, 1), "gone": (3, 3)}, ([], ["gone"])),
        ({"a": (1, 1), "left-by-a-failed-build": (4, 4)}, {}, (["a"], [])),
    ],
)
def test_only_changed_owned_files_are_copied_and_others_removed(work, served, expected):
    assert changes(work, served, lambda path: path != "left-by-a-failed-build") == expected


def test_bring_in_copies_keeping_the_mtime_and_empties_folders(tmp_path):
    work, served = tmp_path / "work", tmp_path / "served"
    write_article(work, "a/index.html", "mới")
    write_article(served, "a/index.html", "cũ")
    write_article(served, "b/c/index.html", "bỏ")
    assert bring_in(work, served) == (1, 1)
    assert (served / "a/index.html").read_text(encoding="utf-8") == "mới"
    assert not (served / "b").exists()
    assert bring_in(work, served) == (0, 0)


def test_bring_in_reads_the_served_folder_again_when_it_was_made_anew(tmp_path):
    """The served side's stamps are remembered between bring_ins, but not across a new folder."""
    work, served = tmp_path / "work", tmp_path / "served"
    write_article(work, "a/index.html", "mới")
    assert bring_in(work, served) == (1, 0)
    shutil.rmtree(served)
    served.mkdir()
    assert bring_in(work, served) == (1, 0)
    assert (served / "a/index.html").read_text(encoding="utf-8") == "mới"


def test_bring_in_after_a_subfolder_was_brought_in_on_its_own(tmp_path):
    """The remembered stamps may list files a bring_in of a subfolder removed since, folders too."""
    work, served = tmp_path / "work", tmp_path / "served"
    write_article(work, "pagefind/fragment/a.pf", "cũ")
    write_article(work, "index.html", "trang chủ")
    bring_in(work, served)
    shutil.rmtree(work / "pagefind/fragment")
    write_article(work, "pagefind/index.pf", "mới")
    bring_in(work / "pagefind", served / "pagefind")
    assert bring_in(work, served) == (0, 0)  # read again: what the subfolder's bring_in did is seen
    assert sorted(p.relative_to(served).as_posix() for p in served.rglob("*")) == [
        "index.html",
        "pagefind",
        "pagefind/index.pf",
    ]


def test_files_brought_in_by_name_are_removed_once_no_build_makes_them(tmp_path):
    """The quick path brings in what it wrote (a new share card); the next whole bring_in, whose
    served stamps are remembered, must still know the file to remove it."""
    work, served = tmp_path / "work", tmp_path / "served"
    write_article(work, "anh/the/cu.png", "thẻ cũ")
    bring_in(work, served)
    write_article(work, "anh/the/moi.png", "thẻ mới")
    assert bring_in_files(work, served, ["anh/the/moi.png"]) == 1
    assert bring_in_files(work, served, ["anh/the/moi.png"]) == 0  # same size and mtime: left alone
    (work / "anh/the/moi.png").unlink()
    assert bring_in(work, served, owned=lambda path: path != "anh/the/moi.png") == (0, 1)
    assert [p.relative_to(served).as_posix() for p in served.rglob("*.png")] == ["anh/the/cu.png"]
