"""`make publish`: update the build tree strictly, snapshot it as a release, check what changed, go live.

The layout (output.publish/: site/, releases/<n>/) is described in releases.py and
docs/deployment.md; `output` is a symlink to the live release.
"""

import fcntl
import os
import shutil
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from .checks import broken_feeds, broken_links, check_release
from .releases import KEEP_RELEASES, Layout, clear_leftovers, live_number, numbers, prune, roll_back, save_index
from .releases import snapshot_site as snapshot_site
from .swap import point_output_at

__all__ = [
    "KEEP_RELEASES",
    "Layout",
    "PublishError",
    "broken_feeds",
    "broken_links",
    "build_with_pelican",
    "live_number",
    "point_output_at",
    "publish_site",
    "roll_back",
]


class PublishError(RuntimeError):
    """The new site failed a check; the live site was left untouched."""


def build_with_pelican(root: Path, target: Path, settings_file: str) -> str:
    """Build the site strictly into `target`, updating what an earlier build left; return its SITEURL."""
    from pelican import Pelican
    from pelican.settings import read_settings

    settings = read_settings(
        str(root / settings_file),
        override={"OUTPUT_PATH": str(target), "CONTENT_CHECKS_STRICT": True, "DELETE_OUTPUT_DIRECTORY": False},
    )
    Pelican(settings).run()
    return settings["SITEURL"]


@contextmanager
def one_publish_at_a_time(layout: Layout):
    """Hold an exclusive lock (a timer's publish and an editor's must not interleave)."""
    layout.home.mkdir(parents=True, exist_ok=True)
    with open(layout.home / "lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError("một lần xuất bản khác đang chạy; chờ nó xong rồi chạy lại") from None
        yield


def update_build_tree(root: Path, layout: Layout, settings_file: str, build) -> str:
    """Run the strict build into site/; a tree a crashed build left is started afresh."""
    from plugins.content_checks.content_checks import ContentErrors

    if layout.building.exists():
        shutil.rmtree(layout.site, ignore_errors=True)  # half-written: its caches would not know
    layout.site.mkdir(parents=True, exist_ok=True)
    layout.building.touch()
    try:
        siteurl = build(root, layout.site, settings_file)
    except ContentErrors:
        layout.building.unlink()  # content errors stop the build before it writes anything
        raise
    layout.building.unlink()
    return siteurl


def publish_site(
    root: Path,
    output: Path,
    settings_file: str = "publishconf.py",
    build: Callable[[Path, Path, str], str] = build_with_pelican,
    swap: Callable[[Path, Path], None] = point_output_at,
) -> int:
    """Build, snapshot, check and switch; on any failure the live site stays byte-identical.

    Return the number of the release now live.
    """
    layout = Layout(output)
    with one_publish_at_a_time(layout):
        clear_leftovers(layout)
        siteurl = update_build_tree(root, layout, settings_file, build)
        number = max(numbers(layout), default=0) + 1
        made = snapshot_site(layout, number)
        try:
            files = set(made.index.build)
            base = made.base
            problems, made.index.links = check_release(
                made.folder,
                siteurl,
                files,
                made.changed if base else None,
                made.removed,
                base.links if base else None,
            )
            if problems:
                raise PublishError("không xuất bản vì trang mới còn lỗi:\n" + "\n".join(problems))
            release = layout.release(number)
            os.rename(made.folder, release)
        except BaseException:
            shutil.rmtree(made.folder, ignore_errors=True)
            raise
        save_index(layout, number, made.index)
        swap(release, output)
        prune(layout)
    return number
