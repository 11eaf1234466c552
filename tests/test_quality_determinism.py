"""Gate: building the fixture site twice from scratch gives byte-identical trees."""

import os
import subprocess
import sys

from tests.support import ROOT, tree_differences

# Each process builds into the folders given on its command line, in turn, with its own empty
# caches, the search bundle's included: the bundle is our own encoding of what Pagefind indexed
# (search/shards.py), so it must be byte-identical too; small shards exercise the merge.
BUILD = """
import os
import sys
from pathlib import Path
from tests.support import build_site
outputs = sys.argv[1:]
for output in outputs:
    build_site(
        Path(output),
        CACHE_PATH=output + '-cache',
        LOCALITIES_CACHE_PATH=output + '-cache/gazetteer',
        IMAGES_CACHE_PATH=output + '-cache/images',
        SEARCH_CACHE_PATH=output + '-cache/pagefind',
        SEARCH_SHARD_PAGES=2,
        IMAGES_CARD_POOL_MIN=int(os.environ["TEST_WORKERS_MIN"]),
        FEEDS_WORKER_MIN_ARTICLES=int(os.environ["TEST_WORKERS_MIN"]),
        SEARCH_WORKER_MIN_ARTICLES=int(os.environ["TEST_WORKERS_MIN"]),
        INCREMENTAL_RENDER_WORKER_MIN_ARTICLES=int(os.environ["TEST_WORKERS_MIN"]),
    )
"""


def _start(env_changes, *outputs):
    """Start one build process whose environment differs in hash seed, time zone and locale."""
    env = {**os.environ, **env_changes}
    return subprocess.Popen(
        [sys.executable, "-c", BUILD, *map(str, outputs)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    )


def test_two_builds_from_scratch_are_byte_identical(tmp_path):
    first, second, again = tmp_path / "first", tmp_path / "second", tmp_path / "second-again"
    runs = [
        # The first draws share cards, writes feeds and indexes in the build process, the second in worker
        # processes (as large sites do) while pages are written, half of them by a page process:
        # the output must not tell them apart.
        ({"PYTHONHASHSEED": "1", "TZ": "UTC", "LC_ALL": "C.UTF-8", "TEST_WORKERS_MIN": "100000"}, [first]),
        # The second process also builds once more (warm, in the same process), as `invoke livereload` does.
        ({"PYTHONHASHSEED": "2", "TZ": "America/New_York", "LC_ALL": "C", "TEST_WORKERS_MIN": "1"}, [second, again]),
    ]
    for env_changes, outputs in runs:
        process = _start(env_changes, *outputs)
        log, _ = process.communicate(timeout=300)
        assert process.returncode == 0, f"build failed:\n{log[-4000:]}"
    assert (first / "index.html").is_file()
    differences = tree_differences(first, second)
    assert not differences, (
        f"two cold builds differ (hash seed / time zone / locale leak into the output): {differences}"
    )
    differences = tree_differences(first, again)
    assert not differences, (
        f"a second build in the same process differs from a cold build (state kept between builds): {differences}"
    )
