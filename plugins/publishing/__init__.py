"""`make publish`: build strictly into staging, check links and feeds, then swap into output/."""

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from .checks import broken_feeds, broken_links
from .swap import swap_into_place

__all__ = [
    "PublishError",
    "adopt_unchanged",
    "publish_site",
    "build_with_pelican",
    "broken_links",
    "broken_feeds",
    "swap_into_place",
]


class PublishError(RuntimeError):
    """The new site failed a check; the live site was left untouched."""


def build_with_pelican(root: Path, target: Path, settings_file: str) -> str:
    """Build the site strictly into `target`; return its SITEURL."""
    from pelican import Pelican
    from pelican.settings import read_settings

    settings = read_settings(
        str(root / settings_file), override={"OUTPUT_PATH": str(target), "CONTENT_CHECKS_STRICT": True}
    )
    Pelican(settings).run()
    return settings["SITEURL"]


def adopt_unchanged(staging: Path, output: Path) -> int:
    """Replace each staged file whose bytes equal the live one by a hard link to the live file.

    The swap then keeps the modification time (and inode) of every unchanged file, so rsync and
    CDN caches see only real changes. Returns how many files were adopted.
    """
    adopted = 0
    if not output.is_dir():
        return adopted
    for staged in staging.rglob("*"):
        live = output / staged.relative_to(staging)
        if staged.is_file() and not staged.is_symlink() and live.is_file() and not live.is_symlink():
            if os.path.samefile(live, staged):  # already one file (e.g. both linked from a cache)
                continue
            if live.stat().st_size == staged.stat().st_size and live.read_bytes() == staged.read_bytes():
                temporary = staged.with_name(f".{staged.name}.adopt")
                os.link(live, temporary)
                os.replace(temporary, staged)
                adopted += 1
    return adopted


def publish_site(
    root: Path,
    output: Path,
    settings_file: str = "publishconf.py",
    build: Callable[[Path, Path, str], str] = build_with_pelican,
    swap: Callable[[Path, Path], None] = swap_into_place,
) -> None:
    """Build, check and swap; on any failure the previous output/ stays byte-identical."""
    staging = output.with_name(output.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        siteurl = build(root, staging, settings_file)
        problems = broken_links(staging, siteurl) + broken_feeds(staging)
        if problems:
            raise PublishError("không xuất bản vì trang mới còn lỗi:\n" + "\n".join(problems))
        adopt_unchanged(staging, output)
        swap(staging, output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
