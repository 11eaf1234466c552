"""Incremental builds: unchanged files keep their mtime, stale pages go, output equals a clean build."""

import os
import pickle
import shutil
from pathlib import Path

import pytest

from plugins.incremental import DEFAULTS
from plugins.incremental.files import write_if_changed
from plugins.incremental.manifest import is_kept, stale_files
from tests.support import FIXTURE_SITE, build_site, tree_differences
from thidua.vntext import slugify

OLD = 1_000_000_000  # an mtime long before any build (2001)
EDITED = "ton-vinh-dien-hinh/ton-vinh-cong-dan.md"
DELETED = "phat-dong-phong-trao/tuan-giao-nfd.md"


def files_of(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}


def age_everything(folder: Path) -> dict[str, bytes]:
    """Set every output file's mtime far in the past; return their bytes."""
    contents = {}
    for relative, path in files_of(folder).items():
        contents[relative] = path.read_bytes()
        os.utime(path, (OLD, OLD))
    return contents


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("incremental")
    content = tmp / "content"
    shutil.copytree(FIXTURE_SITE / "content", content)
    output = tmp / "output"
    options = {
        "DELETE_OUTPUT_DIRECTORY": False,
        "CACHE_PATH": str(tmp / "cache"),
    }
    build_site(output, content, **options)
    before = age_everything(output)
    deleted_title = next(
        line.split(":", 1)[1].strip()
        for line in (content / DELETED).read_text(encoding="utf-8").splitlines()
        if line.startswith("Title:")
    )
    edited = content / EDITED
    edited.write_text(edited.read_text(encoding="utf-8") + "\nĐoạn bổ sung (hư cấu).\n", encoding="utf-8")
    (content / DELETED).unlink()
    build_site(output, content, **options)
    clean = tmp / "clean"
    build_site(clean, content, **{**options, "DELETE_OUTPUT_DIRECTORY": True, "CACHE_PATH": str(tmp / "cache2")})
    return {
        "output": output,
        "clean": clean,
        "cache": str(tmp / "cache"),
        "before": before,
        "deleted_slug": slugify(deleted_title),
    }


# Plugins that write files themselves (images: static copies re-stripped on every build, share
# cards not yet claimed; seo: robots.txt) are checked strictly only in the expected failures below,
# until they use incremental.claim / incremental.write_output.
IMAGES_PLUGIN_OUTPUTS = ("images/", "anh/")
# Files other tools own (INCREMENTAL_KEEP, e.g. the visitor statistics snapshot) are not checked.
NOT_OWNED = tuple(DEFAULTS["INCREMENTAL_KEEP"])


def mtime_mismatches(builds, exclude=()) -> list[str]:
    """Return files whose mtime changed without a change of bytes, or the reverse."""
    wrong = []
    for relative, path in files_of(builds["output"]).items():
        if relative.startswith(exclude):
            continue
        changed = builds["before"].get(relative) != path.read_bytes()
        if (path.stat().st_mtime != OLD) != changed:
            wrong.append(relative)
    return wrong


def test_edit_changes_some_files(builds):
    after = files_of(builds["output"])
    assert any(builds["before"].get(r) != p.read_bytes() for r, p in after.items())


def owned_by_build(builds) -> set[str]:
    """Files this build produced through Pelican's writer, its copies or incremental.claim."""
    from plugins.incremental.manifest import load_manifest, manifest_path

    return load_manifest(manifest_path(builds["cache"], str(builds["output"])))


def test_only_changed_files_get_a_new_mtime(builds):
    owned = owned_by_build(builds)
    others = tuple(sorted(set(files_of(builds["output"])) - owned))
    assert "index.html" in owned
    assert mtime_mismatches(builds, IMAGES_PLUGIN_OUTPUTS + NOT_OWNED + others) == []


def test_every_file_keeps_its_mtime_when_unchanged(builds):
    assert mtime_mismatches(builds, NOT_OWNED) == []


def test_deleted_article_page_disappears(builds):
    page = f"tin-tuc/{builds['deleted_slug']}/index.html"
    assert page in builds["before"]
    assert not (builds["output"] / page).exists()


def test_incremental_output_equals_clean_build(builds):
    differences = tree_differences(builds["output"], builds["clean"])
    assert [d for d in differences if not d.startswith(IMAGES_PLUGIN_OUTPUTS)] == []


def test_stale_image_outputs_are_removed_too(builds):
    assert tree_differences(builds["output"], builds["clean"]) == []


def test_claimed_files_are_owned(tmp_path):
    from plugins.incremental import incremental

    incremental._claimed.clear()
    (tmp_path / "x.png").write_bytes(b"png")
    incremental.claim(tmp_path / "x.png")
    assert os.path.realpath(tmp_path / "x.png") in incremental._claimed
    incremental._claimed.clear()


def test_write_if_changed_keeps_identical_file(tmp_path):
    target = tmp_path / "a.html"
    assert write_if_changed(str(target), b"x")
    os.utime(target, (OLD, OLD))
    assert not write_if_changed(str(target), b"x")
    assert target.stat().st_mtime == OLD
    assert write_if_changed(str(target), b"y")
    assert target.read_bytes() == b"y"


def test_keep_list_protects_files_and_folders():
    keep = ["thong-ke.json", "pagefind/"]
    assert is_kept("thong-ke.json", keep)
    assert is_kept("pagefind/index/x.pf", keep)
    assert not is_kept("tin-tuc/a/index.html", keep)
    previous = {"thong-ke.json", "pagefind/a.js", "tin-tuc/a/index.html", "tin-tuc/b/index.html"}
    assert stale_files(previous, {"tin-tuc/b/index.html"}, keep) == ["tin-tuc/a/index.html"]


def test_a_page_not_rendered_is_never_written_unless_known_as_unchanged(tmp_path):
    from plugins.incremental.files import UNRENDERED, CompareOnClose

    page = tmp_path / "index.html"
    page.write_text("<p>trang cũ</p>", encoding="utf-8")
    seen = []
    kept = CompareOnClose(str(page), "utf-8", lambda path, written: seen.append(written), verbatim=True)
    kept.write(UNRENDERED)
    kept.close()
    assert seen == [False] and page.read_text(encoding="utf-8") == "<p>trang cũ</p>"
    lost = CompareOnClose(str(page), "utf-8", lambda path, written: seen.append(written))
    lost.write(UNRENDERED)
    with pytest.raises(RuntimeError, match="was not rendered but is not known as unchanged"):
        lost.close()
    assert page.read_text(encoding="utf-8") == "<p>trang cũ</p>"


def test_a_damaged_content_cache_is_reported_and_read_again(tmp_path, caplog):
    import gzip

    from pelican.cache import FileDataCacher

    from plugins.incremental.content_cache import patch_content_cache

    patch_content_cache()
    settings = {"CACHE_PATH": str(tmp_path), "GZIP_CACHE": True}
    whole = gzip.compress(pickle.dumps({"bai-1.md": "dữ liệu"}))
    (tmp_path / "ArticlesGenerator-Readers").write_bytes(whole[: len(whole) // 2])  # a build stopped mid-save
    cache = FileDataCacher(settings, "ArticlesGenerator-Readers", True, True)
    assert cache.get_cached_data("bai-1.md") is None
    assert (
        f"incremental: the content cache {tmp_path / 'ArticlesGenerator-Readers'} is damaged "
        "(Compressed file ended before the end-of-stream marker was reached); every article is read again this time"
    ) in caplog.text
    cache.cache_data("bai-1.md", "dữ liệu")
    cache.save_cache()
    assert [p.name for p in tmp_path.iterdir()] == ["ArticlesGenerator-Readers"]  # no temporary file left
    assert (tmp_path / "ArticlesGenerator-Readers").stat().st_mode & 0o777 == 0o644
    assert FileDataCacher(settings, "ArticlesGenerator-Readers", True, True).get_cached_data("bai-1.md") == "dữ liệu"


def test_a_cache_of_another_format_is_rewritten_once_even_when_nothing_is_added(tmp_path, caplog):
    import gzip

    from pelican.cache import FileDataCacher

    from plugins.incremental.content_cache import patch_content_cache

    patch_content_cache()
    settings = {"CACHE_PATH": str(tmp_path), "GZIP_CACHE": False, "INCREMENTAL_RENDER_WORKER_MIN_ARTICLES": 0}
    where = tmp_path / "PagesGenerator-Readers"
    where.write_bytes(gzip.compress(pickle.dumps({})))  # written while GZIP_CACHE was on
    FileDataCacher(settings, "PagesGenerator-Readers", True, True).save_cache()  # a site without pages
    assert "Cannot unpickle cache" in caplog.text
    caplog.clear()
    assert FileDataCacher(settings, "PagesGenerator-Readers", True, True)._cache == {}
    assert "Cannot unpickle cache" not in caplog.text  # warned once, not on every build
    assert pickle.loads(where.read_bytes()) == {}


def test_the_content_cache_is_written_only_when_a_build_added_to_it(tmp_path):
    from pelican.cache import FileDataCacher

    from plugins.incremental.content_cache import patch_content_cache, wait_for_saves

    patch_content_cache()
    settings = {"CACHE_PATH": str(tmp_path), "GZIP_CACHE": True, "INCREMENTAL_RENDER_WORKER_MIN_ARTICLES": 0}
    where = tmp_path / "ArticlesGenerator-Readers"
    first = FileDataCacher(settings, "ArticlesGenerator-Readers", True, True)
    first.cache_data("bai-1.md", "dữ liệu")
    first.save_cache()
    os.utime(where, ns=(10**9, 10**9))  # an old mtime: writing the file again would change it
    FileDataCacher(settings, "ArticlesGenerator-Readers", True, True).save_cache()  # nothing read: left alone
    assert where.stat().st_mtime_ns == 10**9

    forked = {**settings, "INCREMENTAL_RENDER_WORKER_MIN_ARTICLES": 2}  # two entries: written by a fork
    again = FileDataCacher(forked, "ArticlesGenerator-Readers", True, True)
    again.cache_data("bai-2.md", "dữ liệu khác")
    again.save_cache()
    wait_for_saves()
    loaded = FileDataCacher(settings, "ArticlesGenerator-Readers", True, True)
    assert loaded.get_cached_data("bai-1.md") == "dữ liệu" and loaded.get_cached_data("bai-2.md") == "dữ liệu khác"
    assert [p.name for p in tmp_path.iterdir()] == ["ArticlesGenerator-Readers"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "INCREMENTAL_RENDER_WORKER_MIN_ARTICLES",
            -1,
            "INCREMENTAL_RENDER_WORKER_MIN_ARTICLES must be a whole number ≥ 0 (0: never fork), e.g. 500",
        ),
        (
            "INCREMENTAL_RENDER_WORKER_MIN_ARTICLES",
            "500",
            "INCREMENTAL_RENDER_WORKER_MIN_ARTICLES must be a whole number ≥ 0 (0: never fork), e.g. 500",
        ),
        (
            "INCREMENTAL_RENDER_WORKER_SHARE",
            1,
            "INCREMENTAL_RENDER_WORKER_SHARE must be a number between 0 and 1 (exclusive), e.g. 0.5",
        ),
        (
            "INCREMENTAL_RENDER_WORKER_SHARE",
            "một nửa",
            "INCREMENTAL_RENDER_WORKER_SHARE must be a number between 0 and 1 (exclusive), e.g. 0.5",
        ),
    ],
)
def test_page_process_settings_that_cannot_work_are_refused(name, value, message):
    from plugins.incremental.incremental import validate_settings

    with pytest.raises(ValueError) as refused:
        validate_settings({name: value})
    assert str(refused.value) == message


def test_urls_are_kept_only_while_the_build_says_contents_no_longer_change(tmp_path):
    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG

    from plugins.incremental.urls import freeze_urls, thaw_urls

    settings = {**DEFAULT_CONFIG, "ARTICLE_URL": "tin-tuc/{slug}/", "ARTICLE_SAVE_AS": "tin-tuc/{slug}/index.html"}
    article = Article("Nội dung.", metadata={"title": "Bài thử (hư cấu)", "slug": "bai-thu"}, settings=settings)
    assert article.url == "tin-tuc/bai-thu/"
    article.slug = "bai-doi-ten"  # plugins may still change it while contexts are made
    assert article.url == "tin-tuc/bai-doi-ten/"
    freeze_urls()
    try:
        assert article.url == "tin-tuc/bai-doi-ten/"
        article.slug = "khong-duoc-doi"
        assert article.url == "tin-tuc/bai-doi-ten/"  # kept: formatted once
    finally:
        thaw_urls()
    assert article.url == "tin-tuc/khong-duoc-doi/"


def test_urls_of_the_contents_given_are_formatted_when_frozen(tmp_path):
    """A process forked after the freeze inherits them: they are formatted before, not on first use."""
    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG

    from plugins.incremental.urls import freeze_urls, thaw_urls

    settings = {**DEFAULT_CONFIG, "ARTICLE_URL": "tin-tuc/{slug}/", "ARTICLE_SAVE_AS": "tin-tuc/{slug}/index.html"}
    article = Article("Nội dung.", metadata={"title": "Bài thử (hư cấu)", "slug": "bai-thu"}, settings=settings)
    freeze_urls([article])
    try:
        article.slug = "doi-sau-khi-giu"
        assert (article.url, article.save_as) == ("tin-tuc/bai-thu/", "tin-tuc/bai-thu/index.html")
    finally:
        thaw_urls()


@pytest.mark.parametrize(
    ("content_path", "source_path", "asked"),
    [
        ("/site/content", "/site/content/hoi-nghi/bai.md", None),
        ("/site/content", "hoi-nghi/bai.md", None),
        ("/site/content", "/site/content/hoi-nghi/bai.md", "/site/content/images/anh.png"),
        ("/site/khac", "/site/content/hoi-nghi/bai.md", None),  # another PATH: not the first's answer
        ("content", "content/pages/gioi-thieu.md", None),
    ],
)
def test_relative_source_paths_are_pelicans_computed_once(content_path, source_path, asked):
    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG

    from plugins.incremental.urls import PELICANS_GET_RELATIVE_SOURCE_PATH, get_relative_source_path_once

    settings = {**DEFAULT_CONFIG, "PATH": content_path}
    article = Article("Nội dung.", metadata={"title": "Bài thử (hư cấu)"}, settings=settings, source_path=source_path)
    expected = PELICANS_GET_RELATIVE_SOURCE_PATH(article, asked)
    assert get_relative_source_path_once(article, asked) == expected
    assert get_relative_source_path_once(article, asked) == expected  # the second time from the memo


def test_a_file_with_nothing_cached_is_not_stamped(tmp_path):
    from pelican.cache import FileStampDataCacher

    from plugins.incremental.content_cache import patch_content_cache

    patch_content_cache()
    settings = {"CACHE_PATH": str(tmp_path), "GZIP_CACHE": False, "CHECK_MODIFIED_METHOD": "mtime"}
    cache = FileStampDataCacher(settings, "ArticlesGenerator", True, False)
    stamped = []
    cache._filestamp_func = lambda path: stamped.append(path) or 7.0
    assert cache.get_cached_data("bai-1.md", "không có") == "không có"
    assert stamped == []  # nothing cached for it: no stat, no hash
    cache.cache_data("bai-1.md", "dữ liệu")
    assert cache.get_cached_data("bai-1.md") == "dữ liệu"
    cache._filestamp_func = lambda path: stamped.append(path) or 8.0  # the file changed since
    assert cache.get_cached_data("bai-1.md", "không có") == "không có"
