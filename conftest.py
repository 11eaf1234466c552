"""Shared fixtures: one fixture-site build per test session."""

import shutil
from pathlib import Path

import pytest

from tests.support import CHROMIUM, build_site


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory):
    """The fixture site, built once with pinned settings."""
    return build_site(tmp_path_factory.mktemp("fixture-site") / "output")


@pytest.fixture(scope="session")
def real_build(tmp_path_factory):
    """The real content/, built once in strict mode with pinned settings."""
    from tests.support import ROOT

    return build_site(tmp_path_factory.mktemp("real-site") / "output", content=ROOT / "content")


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium for the session."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Debian chromium is missing: run `make test`, which installs it (tools/system_packages.py)")
    from tests.support import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture(scope="session")
def sites(fixture_build, real_build):
    """Both builds served on loopback: name → (base URL, output folder, page URLs by kind)."""
    from tests.quality import representative_urls
    from tests.support import serve

    with serve(fixture_build.output) as fixture_url, serve(real_build.output) as real_url:
        yield {
            "fixture": (fixture_url, fixture_build.output, representative_urls(fixture_build.output)),
            "real": (real_url, real_build.output, representative_urls(real_build.output)),
        }
