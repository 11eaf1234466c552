"""What a build remembers for the next one, in a pickle file: read tolerantly, written atomically.

Several plugins keep a dict from one build to the next (page fingerprints, feed keys, prepared
search pages, inspected images). A missing or damaged file only means the work is done again; a
build stopped while writing one leaves the previous file whole.
"""

import hashlib
import os
import pickle
from functools import cache
from pathlib import Path

# What a damaged or foreign file raises while it is unpickled.
_UNREADABLE = (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError, ImportError)


def load_dict(path: Path | None) -> dict:
    """Return the dict stored at path, or {} when there is none or it cannot be read."""
    if path is None:
        return {}
    try:
        with Path(path).open("rb") as handle:
            value = pickle.load(handle)
    except _UNREADABLE:
        return {}
    return value if isinstance(value, dict) else {}


def save_dict(path: Path | None, value: dict) -> None:
    """Store the dict at path through a temporary file renamed into place (nothing if path is None)."""
    if path is None:
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(temporary, path)


def file_stamp(path) -> tuple[int, int] | None:
    """Return (size, mtime in ns) of a file, or None when it is not there."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def untouched_since(entry: tuple | None, path, key) -> bool:
    """Return whether entry, a recorded (key, size, mtime in ns), holds this key and the file at
    path still has that size and mtime: it was made from key and nobody changed it since."""
    return entry is not None and entry[0] == key and file_stamp(path) == tuple(entry[1:])


@cache
def code_digest(tag: str, *files) -> bytes:
    """Digest of a tag and the source of the code files a memo was made by, read once per process.

    A memo stored with it is used only by the same code: editing that code makes the work again.
    """
    parts = [tag.encode()] + [Path(f).read_bytes() for f in files]
    return hashlib.blake2b(b"\0".join(parts), digest_size=16).digest()
