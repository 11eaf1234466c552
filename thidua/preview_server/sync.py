"""Bring a finished build's changed files from the work tree into the served folder.

The preview builds incrementally into a work tree the browser never sees: a build that fails
half-way (a template error after a hundred pages) leaves it half-updated. Only after a build
succeeds are its files brought into the served folder, each file copied under a temporary name
and renamed over the old one, so a reader gets the old file or the new one, never a mix.

Copies, not hard links: several plugins rewrite their files in place (feeds, assets, the SEO
files, the search index), and through a hard link a failed build would change the served file.
A copy keeps the work file's size and modification time, and the incremental engine rewrites
only files whose bytes changed, so a file whose size and mtime equal its served copy's is the
same file, and only the files a save changed are copied. The served side is stamped once per
process: after a bring_in it holds exactly the owned work files with their stamps, which are
remembered (half a second of stat calls at 10,000 articles). Whatever else copies a work file in
(copy2, as the quick path does) only makes a later bring_in copy it again; a bring_in of a subfolder
makes the next one of the whole folder read it again.
"""

import os
import shutil
from pathlib import Path

from thidua.memofile import file_stamp
from thidua.publishing.releases import scan

# served folder → (its identity, its files' stamps as the last bring_in left them)
_served: dict[str, tuple[tuple, dict]] = {}


def tree_stamps(root: Path) -> dict[str, tuple[int, int]]:
    """Return relative path → (size, mtime in ns) of every file under root ({} if it is missing)."""
    return {path: (stat.st_size, stat.st_mtime_ns) for path, stat in scan(root).items()}


def changes(work: dict, served: dict, owned) -> tuple[list[str], list[str]]:
    """Return (files to copy, files to remove): owned(path) says which work files the build made."""
    wanted = {path: stamp for path, stamp in work.items() if owned(path)}
    copy = sorted(path for path, stamp in wanted.items() if served.get(path) != stamp)
    remove = sorted(path for path in served if path not in wanted)
    return copy, remove


def served_stamps(served: Path) -> dict[str, tuple[int, int]]:
    """Return the served folder's stamps: remembered from the last bring_in, else read."""
    known = _served.pop(str(served), None)  # taken out: a bring_in failing half-way leaves none
    for folder in [f for f in _served if served.is_relative_to(f)]:
        del _served[folder]  # this bring_in into a folder inside it changes files they list
    return known[1] if known is not None and known[0] == identity(served) else tree_stamps(served)


def identity(folder: Path) -> tuple | None:
    """Return what tells a folder made anew (or whose own entries changed) from the one remembered."""
    try:
        stat = folder.stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_ctime_ns


def bring_in(work: Path, served: Path, owned=lambda path: True) -> tuple[int, int]:
    """Make served hold exactly the owned files of work; return (files copied, files removed)."""
    wanted = {path: stamp for path, stamp in tree_stamps(work).items() if owned(path)}
    copy, remove = changes(wanted, served_stamps(served), lambda path: True)
    for relative in copy:
        copy_in(work, served, relative)
    for relative in remove:
        target = served / relative
        target.unlink(missing_ok=True)
        prune(target.parent, served)
    if served.is_dir():
        _served[str(served)] = (identity(served), wanted)
    return len(copy), len(remove)


def copy_in(work: Path, served: Path, relative: str) -> None:
    """Copy one work file over its served copy, under a temporary name renamed into place."""
    target = served / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.preview-tmp")
    shutil.copy2(work / relative, temporary)  # keeps the mtime: the next comparison holds
    os.replace(temporary, target)


def bring_in_files(work: Path, served: Path, relatives: list[str]) -> int:
    """Bring the named files of work into served, removing those work no longer has; return how
    many were copied. For the quick path, which knows what it wrote: the stamps a later bring_in
    remembers are kept true, so a file brought in here and later no longer made is removed then."""
    known = _served.get(str(served))
    remembered = known[1] if known is not None and known[0] == identity(served) else None
    copied = 0
    for relative in relatives:
        stamp = file_stamp(work / relative)
        if stamp is None:  # removed from the work tree (an old share card)
            (served / relative).unlink(missing_ok=True)
            prune((served / relative).parent, served)
            if remembered is not None:
                remembered.pop(relative, None)
            continue
        if file_stamp(served / relative) != stamp:  # same size and mtime: the same file
            copy_in(work, served, relative)
            copied += 1
        if remembered is not None:
            remembered[relative] = stamp
    if remembered is not None:
        _served[str(served)] = (identity(served), remembered)
    return copied


def prune(folder: Path, root: Path) -> None:
    """Remove folder and its parents below root while they are empty; one already gone is passed
    (a bring_in of a subfolder, as the quick path's, may have removed it since the stamps were taken)."""
    while folder != root:
        if folder.is_dir():
            if any(folder.iterdir()):
                return
            folder.rmdir()
        folder = folder.parent
