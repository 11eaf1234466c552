"""Release folders: each publish snapshots the build tree; `output` is a symlink to one of them.

Beside `output` lives `output.publish/`:

    site/               the persistent build tree the strict build updates incrementally
    releases/<n>/       checked snapshots of site/, the live one is where `output` points
    releases/<n>.index  what release n was made from (stats of site/ and of its own files) and
                        the internal links of its pages, for the next publish's checks
    building            present while a build runs: a tree left by a crash is started afresh

A release never shares an inode with site/: plugins rewrite some files of the build tree in
place (feeds, the CSS bundle, the search bundle), which would change a linked release under its
readers. A file of site/ unchanged since the base release (same inode, size, mtime and ctime)
is hard-linked from that release; any other file is copied. Releases are never written after
they are made, so they can share inodes with each other.
"""

import os
import pickle
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

KEEP_RELEASES = 3  # the live release and two before it, for `invoke rollback`


@dataclass(frozen=True)
class Layout:
    """Where one output folder's build tree and releases are kept."""

    output: Path

    @property
    def home(self) -> Path:
        return self.output.with_name(self.output.name + ".publish")

    @property
    def site(self) -> Path:
        return self.home / "site"

    @property
    def releases(self) -> Path:
        return self.home / "releases"

    @property
    def building(self) -> Path:
        return self.home / "building"

    @property
    def new_link(self) -> Path:
        return self.output.with_name(f".{self.output.name}.link")

    def release(self, number: int) -> Path:
        return self.releases / str(number)

    def index(self, number: int) -> Path:
        return self.releases / f"{number}.index"


@dataclass
class Index:
    """What a release was made from: site/ stats, its own files' stats, its pages' internal links."""

    build: dict[str, tuple] = field(default_factory=dict)
    release: dict[str, tuple] = field(default_factory=dict)
    links: dict[str, frozenset[str]] = field(default_factory=dict)


def scan(folder: Path) -> dict[str, os.stat_result]:
    """Return relative path → stat of every file under folder (one scandir walk; {} if it is missing)."""
    found: dict[str, os.stat_result] = {}
    pending = [("", str(folder))]
    while pending:
        prefix, path = pending.pop()
        try:
            entries = os.scandir(path)
        except FileNotFoundError:
            continue
        with entries:
            for entry in entries:
                if entry.is_dir():
                    pending.append((prefix + entry.name + "/", entry.path))
                else:
                    found[prefix + entry.name] = entry.stat()
    return found


def build_key(stat: os.stat_result) -> tuple:
    """Any write to a file of site/ changes one of these (ctime cannot be set back)."""
    return stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns


def release_key(stat: os.stat_result) -> tuple:
    """A release file as it was made (its ctime moves when another release links or drops it)."""
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def numbers(layout: Layout) -> list[int]:
    """Return the numbers of the complete release folders, oldest first."""
    if not layout.releases.is_dir():
        return []
    return sorted(int(p.name) for p in layout.releases.iterdir() if p.name.isdigit() and p.is_dir())


def live_number(layout: Layout) -> int | None:
    """Return the number of the release `output` points to (None: no release is live)."""
    if not layout.output.is_symlink():
        return None
    name = Path(os.readlink(layout.output)).name
    return int(name) if name.isdigit() else None


def load_index(layout: Layout, number: int) -> Index | None:
    try:
        with layout.index(number).open("rb") as handle:
            index = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        return None
    return index if isinstance(index, Index) else None


def save_index(layout: Layout, number: int, index: Index) -> None:
    temporary = layout.index(number).with_suffix(".index-tmp")
    temporary.write_bytes(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(temporary, layout.index(number))


def latest_base(layout: Layout) -> tuple[int, Index] | None:
    """Return the newest release that has an index (the one site/ was last snapshotted into)."""
    for number in reversed(numbers(layout)):
        index = load_index(layout, number)
        if index is not None:
            return number, index
    return None


def clear_leftovers(layout: Layout) -> None:
    """Remove what a killed publish left: a half-made release, a half-pruned one, a new link."""
    if layout.releases.is_dir():
        for path in layout.releases.iterdir():
            if path.name.endswith((".tmp", ".trash", ".index-tmp")):
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    if layout.new_link.is_symlink():
        layout.new_link.unlink()
    shutil.rmtree(layout.output.with_name(layout.output.name + ".staging"), ignore_errors=True)  # before releases


def _same_bytes(first: Path, second: Path) -> bool:
    try:
        if first.stat().st_size != second.stat().st_size:
            return False
        return first.read_bytes() == second.read_bytes()
    except OSError:
        return False


@dataclass
class Snapshot:
    """A release folder being made, and what differs from its base release."""

    folder: Path
    index: Index
    changed: set[str]  # files not linked from the base: new, or with other bytes
    removed: set[str]  # files of the base that are gone
    base: Index | None


def snapshot_site(layout: Layout, number: int) -> Snapshot:
    """Make releases/<number>.tmp from site/: unchanged files linked from the base release, others copied.

    Without a base (first publish, or its index lost) a file with the same bytes as the live
    site's is linked from it, so rsync and caches still see only real changes.
    """
    site = scan(layout.site)
    base_found = latest_base(layout)
    base_number, base = base_found if base_found else (None, None)
    base_folder = layout.release(base_number) if base_found else None
    fallback = layout.output if layout.output.is_dir() and base is None else None
    folder = layout.releases / f"{number}.tmp"
    folder.mkdir(parents=True)
    index = Index()
    changed: set[str] = set()
    made_folders = {""}
    for relative in sorted(site):
        stat = site[relative]
        target = folder / relative
        parent = relative.rpartition("/")[0]
        if parent not in made_folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            made_folders.add(parent)
        index.build[relative] = build_key(stat)
        linked = _link_unchanged(relative, stat, base, base_folder, fallback, target, layout.site)
        if linked is None:
            shutil.copy2(layout.site / relative, target)
            changed.add(relative)
            linked = release_key(target.stat())
        index.release[relative] = linked
    removed = set(base.release) - set(site) if base else set()
    return Snapshot(folder, index, changed, removed, base)


def _link_unchanged(relative, stat, base, base_folder, fallback, target: Path, site: Path) -> tuple | None:
    """Hard-link target from the base release (or the live folder) when the bytes are known equal.

    Return the release key of the linked file, or None when it must be copied.
    """
    if base is not None:
        if base.build.get(relative) != build_key(stat):
            return None
        source = base_folder / relative
        try:
            key = release_key(source.stat())
        except OSError:
            return None
        if key != base.release.get(relative):
            return None  # the release file was changed after it was made: copy afresh
        os.link(source, target)
        return key
    if fallback is not None and _same_bytes(fallback / relative, site / relative):
        os.link(fallback / relative, target)
        return release_key(target.stat())
    return None


def prune(layout: Layout, keep: int = KEEP_RELEASES) -> list[int]:
    """Delete all but the newest `keep` releases (never the live one); return the numbers removed."""
    live = live_number(layout)
    removed = []
    for number in numbers(layout)[:-keep]:
        if number == live:
            continue
        trash = layout.releases / f"{number}.trash"
        layout.release(number).rename(trash)  # a half-deleted folder never looks like a release
        layout.index(number).unlink(missing_ok=True)
        removed.append(number)
    trash = [str(path) for path in layout.releases.glob("*.trash")]
    if trash:  # deleting 50,000 files takes seconds: not waited for (the next publish ends the job)
        subprocess.Popen(["rm", "-rf", "--", *trash], start_new_session=True)  # noqa: S603,S607
    return removed


def roll_back(output: Path, swap=None) -> tuple[int, int]:
    """Point output at the release before the live one; return (previous live, now live)."""
    layout = Layout(output)
    live = live_number(layout)
    if live is None:
        raise LookupError("chưa có bản phát hành nào (output/ chưa phải liên kết tới releases/)")
    older = [n for n in numbers(layout) if n < live]
    if not older:
        raise LookupError(f"không có bản phát hành nào trước bản số {live} để quay lại")
    from .swap import point_output_at

    (swap or point_output_at)(layout.release(older[-1]), output)
    return live, older[-1]
