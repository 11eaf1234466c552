"""Switch the live site to a release in one rename, so readers never see half a site."""

import ctypes
import ctypes.util
import os
import shutil
from pathlib import Path

_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def exchange(first: Path, second: Path) -> bool:
    """Exchange two paths in one system call (Linux renameat2); return False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    return result == 0


def point_output_at(release: Path, output: Path) -> None:
    """Make `output` a symlink to `release` atomically; a real output folder becomes release 0.

    A new link is renamed over the old one. An output folder of the old layout (before releases)
    is exchanged with the new link in one system call (renameat2), then kept as release 0 for
    `invoke rollback`; without renameat2 it is moved aside first (a moment with no site).
    """
    from .releases import Layout

    layout = Layout(output)
    new_link = layout.new_link
    if new_link.is_symlink():
        new_link.unlink()
    new_link.symlink_to(os.path.relpath(release, output.parent))
    if output.is_symlink() or not output.exists():
        os.replace(new_link, output)
        return
    if exchange(new_link, output):
        old = new_link  # the old folder now sits where the new link was made
    else:
        old = output.with_name(f".{output.name}.old")
        output.rename(old)
        os.replace(new_link, output)
    migrated = layout.release(0)
    if migrated.exists():
        shutil.rmtree(old)
    else:
        old.rename(migrated)
