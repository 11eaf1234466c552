"""Bring a finished build's changed files from the work tree into the served folder.

The preview builds incrementally into a work tree the browser never sees: a build that fails
half-way (a template error after a hundred pages) leaves it half-updated. Only after a build
succeeds are its files brought into the served folder, each file copied under a temporary name
and renamed over the old one, so a reader gets the old file or the new one, never a mix.

Copies, not hard links: several plugins rewrite their files in place (feeds, assets, the SEO
files, the search index), and through a hard link a failed build would change the served file.
A copy keeps the work file's size and modification time, and the incremental engine rewrites
only files whose bytes changed, so a file whose size and mtime equal its served copy's is the
same file, and only the files a save changed are copied (one stat of each side per file).
"""

import os
import shutil
from pathlib import Path

from thidua.publishing.releases import scan


def tree_stamps(root: Path) -> dict[str, tuple[int, int]]:
    """Return relative path → (size, mtime in ns) of every file under root ({} if it is missing)."""
    return {path: (stat.st_size, stat.st_mtime_ns) for path, stat in scan(root).items()}


def changes(work: dict, served: dict, owned) -> tuple[list[str], list[str]]:
    """Return (files to copy, files to remove): owned(path) says which work files the build made."""
    wanted = {path: stamp for path, stamp in work.items() if owned(path)}
    copy = sorted(path for path, stamp in wanted.items() if served.get(path) != stamp)
    remove = sorted(path for path in served if path not in wanted)
    return copy, remove


def bring_in(work: Path, served: Path, owned=lambda path: True) -> tuple[int, int]:
    """Make served hold exactly the owned files of work; return (files copied, files removed)."""
    copy, remove = changes(tree_stamps(work), tree_stamps(served), owned)
    for relative in copy:
        target = served / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.preview-tmp")
        shutil.copy2(work / relative, temporary)  # keeps the mtime: the next comparison holds
        os.replace(temporary, target)
    for relative in remove:
        target = served / relative
        target.unlink(missing_ok=True)
        folder = target.parent
        while folder != served and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return len(copy), len(remove)
