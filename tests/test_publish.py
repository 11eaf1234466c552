"""`make publish`: a failure at any stage leaves the live output/ byte-identical."""

import pytest

from publishing import PublishError, broken_links, publish_site
from tests.support import FIXTURE_OVERRIDES, FIXTURE_SITE, PINNED, ROOT


def fixture_build(root, target, settings_file):
    from pelican import Pelican
    from pelican.settings import read_settings

    overrides = {**PINNED, **FIXTURE_OVERRIDES, "PATH": str(FIXTURE_SITE / "content"), "OUTPUT_PATH": str(target)}
    settings = read_settings(str(root / settings_file), override={**overrides, "SITEURL": "https://thidua.example"})
    Pelican(settings).run()
    return settings["SITEURL"]


def snapshot(folder):
    return {p.relative_to(folder): (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def live_site(tmp_path):
    output = tmp_path / "output"
    publish_site(ROOT, output, build=fixture_build)
    return output


def test_publish_builds_checks_and_swaps_in(live_site):
    assert (live_site / "index.html").is_file()
    assert not live_site.with_name("output.staging").exists()
    assert broken_links(live_site, "https://thidua.example") == []


def test_failure_while_building_leaves_the_live_site_intact(live_site):
    before = snapshot(live_site)

    def failing_build(root, target, settings_file):
        fixture_build(root, target, settings_file)
        raise RuntimeError("simulated crash while writing")

    with pytest.raises(RuntimeError):
        publish_site(ROOT, live_site, build=failing_build)
    assert snapshot(live_site) == before
    assert not live_site.with_name("output.staging").exists()


def test_failure_of_a_check_leaves_the_live_site_intact(live_site):
    before = snapshot(live_site)

    def build_with_broken_link(root, target, settings_file):
        siteurl = fixture_build(root, target, settings_file)
        (target / "index.html").write_text('<a href="/khong-ton-tai/">x</a>', encoding="utf-8")
        return siteurl

    with pytest.raises(PublishError, match="index.html: <a href> '/khong-ton-tai/': no such file in the output"):
        publish_site(ROOT, live_site, build=build_with_broken_link)
    assert snapshot(live_site) == before


def test_failure_while_swapping_leaves_the_live_site_intact(live_site):
    before = snapshot(live_site)

    def failing_swap(staging, output):
        raise OSError("simulated disk error during swap")

    with pytest.raises(OSError):
        publish_site(ROOT, live_site, build=fixture_build, swap=failing_swap)
    assert snapshot(live_site) == before


def test_leftover_staging_from_a_killed_publish_is_discarded(live_site):
    staging = live_site.with_name("output.staging")
    staging.mkdir()
    (staging / "half-written.html").write_text("<p>", encoding="utf-8")
    publish_site(ROOT, live_site, build=fixture_build)
    assert not (live_site / "half-written.html").exists()
    assert not staging.exists()


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

    from content_checks.content_checks import ContentErrors

    with pytest.raises(ContentErrors):
        publish_site(ROOT, live_site, build=bad_content_build)
    assert snapshot(live_site) == before


def test_deploy_sends_only_files_whose_content_changed(tmp_path, live_site):
    import shutil
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
    assert len(deploy()) > 10  # first deploy: everything
    assert deploy() == []  # nothing changed: nothing sent
    (live_site / "index.html").write_text(
        (live_site / "index.html").read_text(encoding="utf-8") + " ", encoding="utf-8"
    )
    assert [line.split()[-1] for line in deploy()] == ["index.html"]


def test_republishing_unchanged_content_keeps_every_file_and_its_mtime(live_site):
    before = snapshot(live_site)
    publish_site(ROOT, live_site, build=fixture_build)
    assert snapshot(live_site) == before
