"""Byte-compare writes: a file is rewritten only when its new bytes differ from the old ones."""

import io
import os
import shutil

# What the render cache returns for a page it did not render (see render_cache.py).
UNRENDERED = "\x00page not rendered: its file is kept as written\x00"


def same_bytes(path: str, data: bytes) -> bool:
    """Return whether the file at path already holds exactly these bytes."""
    try:
        if os.path.getsize(path) != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def write_if_changed(path: str, data: bytes) -> bool:
    """Write data to path unless it already holds it; return whether the file was written."""
    if same_bytes(path, data):
        return False
    if os.path.lexists(path) and (os.path.islink(path) or os.stat(path).st_nlink > 1):
        os.unlink(path)  # never write through a link (into content/ or a cache)
    with open(path, "wb") as handle:
        handle.write(data)
    return True


def same_file(source: str, destination: str) -> bool:
    """Return whether two files have the same bytes (sizes first, then contents)."""
    try:
        if os.path.getsize(source) != os.path.getsize(destination):
            return False
    except OSError:
        return False
    with open(source, "rb") as a, open(destination, "rb") as b:
        while True:
            chunk_a, chunk_b = a.read(1 << 16), b.read(1 << 16)
            if chunk_a != chunk_b:
                return False
            if not chunk_a:
                return True


def copy_if_changed(source: str, destination: str) -> bool:
    """Copy a file unless the destination already has the same bytes; return whether it copied."""
    if same_file(source, destination):
        return False
    if os.path.lexists(destination):
        os.unlink(destination)  # a new inode: never write through a hard link (e.g. into a cache)
    shutil.copyfile(source, destination)
    return True


class CompareOnClose(io.StringIO):
    """A text buffer that, when closed, writes its bytes to path only if they changed."""

    def __init__(self, path: str, encoding: str, on_close, verbatim: bool = False):
        super().__init__()
        self.path = path
        self.target_encoding = encoding
        self.on_close = on_close
        self.verbatim = verbatim  # the render cache kept the file as written: nothing to compare or write

    def close(self) -> None:
        if not self.closed:
            if not self.verbatim and self.getvalue() == UNRENDERED:
                raise RuntimeError(f"incremental: {self.path} was not rendered but is not known as unchanged")
            written = not self.verbatim and write_if_changed(self.path, self.getvalue().encode(self.target_encoding))
            self.on_close(self.path, written)
        super().close()
