"""`make publish`: a failure at any stage leaves the live output/ byte-identical; releases and rollback."""

import os
import shutil

import pytest

from tests.support import FIXTURE_OVERRIDES, FIXTURE_SITE, PINNED, ROOT, tree_differences
from thidua.publishing import Layout, PublishError, broken_links, live_number, publish_site, roll_back
from thidua.publishing.checks import pages_to_recheck


def fixture_build(root, target, settings_file):
    from pelican import Pelican
    from pelican.settings import read_settings

    overrides = {
        **PINNED,
        **FIXTURE_OVERRIDES,
        "PATH": str(FIXTURE_SITE / "content"),
        "OUTPUT_PATH": str(target),
        "DELETE_OUTPUT_DIRECTORY": False,  # the build tree is updated, as `make publish` does
        "CACHE_PATH": str(target.parent / "test-cache"),
    }
    settings = read_settings(str(root / settings_file), override={**overrides, "SITEURL": "https://thidua.example"})
    Pelican(settings).run()
    return settings["SITEURL"]


def snapshot(folder):
    return {p.relative_to(folder): (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def scratch_build(tmp_path):
    """Build the fixture strictly into an empty folder with empty caches (what the live site must equal)."""
    scratch = tmp_path / "scratch"
    fixture_build(ROOT, scratch / "site", "publishconf.py")
    return scratch / "site"


@pytest.fixture
def live_site(tmp_path):
    output = tmp_path / "output"
    publish_site(ROOT, output, build=fixture_build)
    return output


def test_publish_builds_checks_and_links_output_to_a_release(live_site):
    assert live_site.is_symlink() and os.readlink(live_site) == "output.publish/releases/1"
    assert (live_site / "index.html").is_file()
    assert broken_links(live_site, "https://thidua.example") == []


def test_a_release_shares_no_file_with_the_build_tree(live_site):
    """Plugins rewrite some build files in place (feeds, the CSS bundle): that must not reach readers."""
    site = Layout(live_site).site
    before = snapshot(live_site)
    for path in site.rglob("*"):
        if path.is_file():
            assert not os.path.samefile(path, live_site / path.relative_to(site)), path
    with (site / "index.html").open("r+b") as handle:  # an in-place write, same inode
        handle.write(b"<!-- rewritten in place -->")
    assert snapshot(live_site) == before


def test_failure_while_building_leaves_the_live_site_intact(live_site):
    before = snapshot(live_site)

    def failing_build(root, target, settings_file):
        fixture_build(root, target, settings_file)
        raise RuntimeError("simulated crash while writing")

    with pytest.raises(RuntimeError):
        publish_site(ROOT, live_site, build=failing_build)
    assert snapshot(live_site) == before
    assert live_number(Layout(live_site)) == 1


def test_a_build_killed_half_way_does_not_break_the_next_publish(tmp_path, live_site):
    """A killed build leaves half-written and stray files in the build tree; the next is as from scratch."""

    def killed_build(root, target, settings_file):
        fixture_build(root, target, settings_file)
        (target / "index.html").write_bytes(b"<html><body><a href")  # cut off mid-write
        (target / "tin-tuc/bai-khong-con/index.html").parent.mkdir(parents=True)
        (target / "tin-tuc/bai-khong-con/index.html").write_text("<p>x</p>", encoding="utf-8")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        publish_site(ROOT, live_site, build=killed_build)
    assert publish_site(ROOT, live_site, build=fixture_build) == 2
    assert tree_differences(live_site, scratch_build(tmp_path)) == []


def test_failure_of_a_check_leaves_the_live_site_intact(live_site):
    before = snapshot(live_site)

    def build_with_broken_link(root, target, settings_file):
        siteurl = fixture_build(root, target, settings_file)
        (target / "index.html").write_text('<a href="/khong-ton-tai/">x</a>', encoding="utf-8")
        return siteurl

    with pytest.raises(PublishError, match="index.html: <a href> '/khong-ton-tai/': no such file in the output"):
        publish_site(ROOT, live_site, build=build_with_broken_link)
    assert snapshot(live_site) == before
    assert sorted(p.name for p in Layout(live_site).releases.iterdir()) == ["1", "1.index"]


def test_a_removed_file_fails_the_unchanged_pages_that_link_to_it(live_site):
    """Checks look at what changed: an unchanged page linking to a removed file is found all the same."""
    removed = "gioi-thieu/index.html"

    def build_without_a_page(root, target, settings_file):
        siteurl = fixture_build(root, target, settings_file)
        (target / removed).unlink()
        return siteurl

    with pytest.raises(PublishError) as failure:
        publish_site(ROOT, live_site, build=build_without_a_page)
    assert "404.html: <a href> 'https://thidua.example/gioi-thieu/': no such file in the output" in str(failure.value)


@pytest.mark.parametrize(
    ("changed", "removed", "links", "expected"),
    [
        (set(), set(), {"a.html": frozenset({"b.html"})}, set()),
        ({"b.html"}, set(), {"a.html": frozenset({"b.html"})}, {"b.html"}),  # a's link still resolves
        ({"b.html"}, set(), {"a.html": frozenset({"b.html#"})}, {"a.html", "b.html"}),  # an id may be gone
        (set(), {"b.html"}, {"a.html": frozenset({"b.html"}), "c.html": frozenset()}, {"a.html"}),
        (set(), {"b.html"}, {"a.html": frozenset({"b.html#"})}, {"a.html"}),
    ],
)
def test_pages_to_recheck(changed, removed, links, expected):
    assert pages_to_recheck(changed, removed, links) == expected


def test_failure_while_swapping_leaves_the_live_site_intact(live_site):
    before = snapshot(live_site)

    def failing_swap(release, output):
        raise OSError("simulated disk error during swap")

    with pytest.raises(OSError):
        publish_site(ROOT, live_site, build=fixture_build, swap=failing_swap)
    assert snapshot(live_site) == before
    assert publish_site(ROOT, live_site, build=fixture_build) == 3  # release 2 was made, not used


def test_leftovers_of_a_killed_publish_are_discarded(live_site):
    before = snapshot(live_site)
    layout = Layout(live_site)
    for leftover in (live_site.with_name("output.staging"), layout.releases / "2.tmp", layout.releases / "0.trash"):
        leftover.mkdir()
        (leftover / "half-written.html").write_text("<p>", encoding="utf-8")
    layout.new_link.symlink_to("output.publish/releases/2.tmp")
    assert publish_site(ROOT, live_site, build=fixture_build) == 2
    assert snapshot(live_site) == before
    assert sorted(p.name for p in layout.releases.iterdir()) == ["1", "1.index", "2", "2.index"]
    assert not layout.new_link.is_symlink() and not live_site.with_name("output.staging").exists()


def test_strict_content_errors_stop_the_publish(tmp_path, live_site):
    before = snapshot(live_site)
    bad = tmp_path / "bad"
    (bad / "a.md").parent.mkdir(parents=True)
    (bad / "a.md").write_text(
        "Title: x\nDate: 2024-02-30\nCategory: Hội nghị tổng kết\nLocalities: Hậu Giang\n\nx\n", encoding="utf-8"
    )

    def bad_content_build(root, target, settings_file):
        from pelican import Pelican
        from pelican.settings import read_settings

        settings = read_settings(
            str(root / settings_file),
            override={**PINNED, "PATH": str(bad), "OUTPUT_PATH": str(target), "CONTENT_CHECKS_STRICT": True},
        )
        Pelican(settings).run()
        return ""

    from plugins.content_checks.content_checks import ContentErrors

    with pytest.raises(ContentErrors):
        publish_site(ROOT, live_site, build=bad_content_build)
    assert snapshot(live_site) == before
    assert not Layout(live_site).building.exists()  # the tree was not touched: kept for the next build


def test_deploy_sends_only_files_whose_content_changed(tmp_path, live_site):
    import subprocess
    import sys

    if not shutil.which("rsync"):
        pytest.fail("rsync is missing: run `make test`, which installs it (tools/system_packages.py)")
    web_root = tmp_path / "www"

    def deploy():
        run = subprocess.run(
            [sys.executable, "-m", "invoke", "deploy", "--target", f"{web_root}/"],
            cwd=live_site.parent,
            capture_output=True,
            text=True,
            encoding="utf-8",
        )
        assert run.returncode == 0, run.stderr
        return [line for line in run.stdout.splitlines() if line.startswith((">f", "*deleting", "cd"))]

    (live_site.parent / "tasks.py").write_text((ROOT / "tasks.py").read_text(encoding="utf-8"), encoding="utf-8")
    assert len(deploy()) > 10  # first deploy: everything, through the output symlink
    assert not (web_root / "output").exists() and (web_root / "index.html").is_file()
    assert deploy() == []  # nothing changed: nothing sent
    site = Layout(live_site).site
    (site / "index.html").write_text((site / "index.html").read_text(encoding="utf-8") + " ", encoding="utf-8")

    def build_keeping_the_edit(root, target, settings_file):
        return "https://thidua.example"  # the tree as it is: one page changed since release 1

    publish_site(ROOT, live_site, build=build_keeping_the_edit)
    assert [line.split()[-1] for line in deploy()] == ["index.html"]


def test_republishing_unchanged_content_keeps_every_file_and_its_mtime(live_site):
    before = snapshot(live_site)
    publish_site(ROOT, live_site, build=fixture_build)
    assert snapshot(live_site) == before
    release_1, release_2 = (Layout(live_site).release(n) for n in (1, 2))
    copied = [
        p for p in release_1.rglob("*") if p.is_file() and not os.path.samefile(p, release_2 / p.relative_to(release_1))
    ]
    # Every file is linked from release 1, none copied again; but image variants are hard links of
    # the image cache shared by the tests' builds, and a link made elsewhere moves their ctime.
    assert [p for p in copied if p.relative_to(release_1).parts[0] != "anh"] == []


def test_rollback_returns_to_the_previous_release(live_site):
    first = snapshot(live_site)

    def build_with_an_edit(root, target, settings_file):
        siteurl = fixture_build(root, target, settings_file)
        (target / "robots.txt").write_text("User-agent: *\nAllow: /\n# sửa\n", encoding="utf-8")
        return siteurl

    publish_site(ROOT, live_site, build=build_with_an_edit)
    second = snapshot(live_site)
    assert second != first
    assert roll_back(live_site) == (2, 1)
    assert snapshot(live_site) == first
    with pytest.raises(LookupError, match="không có bản phát hành nào trước bản số 1"):
        roll_back(live_site)
    assert publish_site(ROOT, live_site, build=fixture_build) == 3  # the next publish goes on from there
    assert {path: data for path, (data, _) in snapshot(live_site).items()} == {p: d for p, (d, _) in first.items()}


def test_only_the_last_three_releases_are_kept(live_site):
    for expected in (2, 3, 4):
        assert publish_site(ROOT, live_site, build=fixture_build) == expected
    kept = sorted(p.name for p in Layout(live_site).releases.iterdir() if not p.name.endswith(".trash"))
    assert kept == ["2", "2.index", "3", "3.index", "4", "4.index"]  # 1.trash: being deleted in the background


def test_a_real_output_folder_is_migrated_and_kept_as_release_0(tmp_path):
    output = tmp_path / "output"
    (output / "tin-tuc").mkdir(parents=True)
    (output / "index.html").write_text("<p>trang cũ</p>", encoding="utf-8")
    old = snapshot(output)
    publish_site(ROOT, output, build=fixture_build)
    assert output.is_symlink() and live_number(Layout(output)) == 1
    assert roll_back(output) == (1, 0)
    assert snapshot(output) == old


def test_the_rollback_task_says_which_release_is_live(live_site):
    import subprocess
    import sys

    publish_site(ROOT, live_site, build=fixture_build)
    (live_site.parent / "tasks.py").write_text((ROOT / "tasks.py").read_text(encoding="utf-8"), encoding="utf-8")

    def rollback():
        return subprocess.run(
            [sys.executable, "-m", "invoke", "rollback"],
            cwd=live_site.parent,
            capture_output=True,
            text=True,
            encoding="utf-8",
        )

    run = rollback()
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "Đã quay lại bản phát hành số 1 (thay cho bản số 2); output/ đang trỏ tới bản số 1."
    run = rollback()
    assert run.returncode == 1
    assert run.stderr.strip() == "Không quay lại được: không có bản phát hành nào trước bản số 1 để quay lại."
