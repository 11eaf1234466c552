"""Prepared pages known by digest: an article page unchanged since the last build is not read again.

Preparing every article page (reading it, folding its words) is most of what the indexing
process does when one article was edited. The digest of each page as prepared is kept with the
size and modification time its published file had and the record it was prepared with; while
those match, the page counts by that digest, and its text is made again only when the shard
holding it has to be indexed again.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import thidua.memofile as memofile
from thidua.memofile import load_dict, save_dict

from .records import Record, prepare_page

FORMAT = b"prepared-1"


class PreparedPage:
    """One article page as Pagefind gets it: its digest now, its text when asked."""

    __slots__ = ("digest", "_path", "_record", "_text")

    def __init__(self, digest: bytes, path: Path, record: Record, text: str | None = None):
        self.digest = digest
        self._path, self._record, self._text = path, record, text

    @property
    def text(self) -> str:
        if self._text is None:
            text = prepare_page(self._path.read_text(encoding="utf-8"), self._record)
            if text is None or text_digest(text) != self.digest:  # changed under us since it was stat'ed
                raise OSError(f"{self._path} changed while the index was made")
            self._text = text
        return self._text


def text_digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def page_digest(page) -> bytes:
    """Digest of a prepared page, given as text or as a PreparedPage."""
    return page.digest if isinstance(page, PreparedPage) else text_digest(page)


def page_text(page) -> str:
    return page.text if isinstance(page, PreparedPage) else page


def code_digest() -> bytes:
    """What preparing a page depends on besides the page and its record: the code that does it."""
    return memofile.code_digest(FORMAT.decode(), Path(__file__).with_name("records.py"))


def record_digest(code: bytes, record: Record) -> bytes:
    return hashlib.blake2b(code + pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL), digest_size=16).digest()


def load_memo(path: Path | None) -> dict:
    """Return save_as → (size, mtime in ns, record digest, page digest) of the last build, or {}."""
    return load_dict(path)


def save_memo(path: Path | None, memo: dict) -> None:
    """Store the memo atomically (a stopped build leaves the previous one whole)."""
    save_dict(path, memo)


def prepare(path: Path, record: Record, stamp: tuple[int, int], known: tuple | None, code: bytes):
    """Return (PreparedPage or None without an article element, memo entry or None).

    stamp: the page file's (size, mtime in ns), as memofile.file_stamp gives it.
    """
    recorded = record_digest(code, record)
    if known is not None and known[:3] == (*stamp, recorded):
        return PreparedPage(known[3], path, record), known
    text = prepare_page(path.read_text(encoding="utf-8"), record)
    if text is None:
        return None, None
    digest = text_digest(text)
    return PreparedPage(digest, path, record, text), (*stamp, recorded, digest)
