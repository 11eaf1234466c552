"""The manifest of files a build owns in the output folder, and the stale ones to delete."""

import hashlib
import json
import os
from pathlib import Path


def manifest_path(cache_path: str, output_path: str) -> Path:
    """Return where the manifest of one output folder is kept (outside the output)."""
    key = hashlib.sha1(os.path.realpath(output_path).encode("utf-8")).hexdigest()[:16]
    return Path(cache_path) / "incremental" / f"{key}.json"


def load_manifest(path: Path) -> set[str] | None:
    """Return the relative paths of the previous build, or None if there is no manifest."""
    try:
        return set(json.loads(path.read_text(encoding="utf-8"))["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_manifest(path: Path, files: set[str]) -> None:
    """Write the manifest atomically, sorted so it is deterministic."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"files": sorted(files)}, indent=0), encoding="utf-8")
    os.replace(tmp, path)


def is_kept(relative: str, keep: list[str]) -> bool:
    """Return whether a path is protected by INCREMENTAL_KEEP (a file name or a "folder/")."""
    for entry in keep:
        if entry.endswith("/"):
            if relative.startswith(entry):
                return True
        elif relative == entry:
            return True
    return False


def stale_files(previous: set[str], current: set[str], keep: list[str]) -> list[str]:
    """Return files the previous build owned that this build did not produce, minus kept ones."""
    return sorted(p for p in previous - current if not is_kept(p, keep))


def remove_stale(output_path: str, stale: list[str]) -> int:
    """Delete stale files (and folders left empty by them); return how many files went."""
    root = Path(output_path).resolve()
    removed = 0
    for relative in stale:
        target = (root / relative).resolve()
        if root not in target.parents or not target.is_file():
            continue
        target.unlink()
        removed += 1
        folder = target.parent
        while folder != root and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return removed
