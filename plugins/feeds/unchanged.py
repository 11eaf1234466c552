"""Leave a feed file alone when its fields and items are those it was last built from.

Building a feed (feedgen, lxml) costs far more than describing it: a 10,000-article site has
about 1,500 feeds of up to 50 items, and an edit changes only the few that list the article.
Each feed's key digests its spec, format, size limit and items (every field, pickled), plus the
code that turns them into bytes; a feed whose key and file (size, mtime) match the last build's
record is not built again.
"""

from __future__ import annotations

import hashlib
import marshal
import pickle
from importlib.metadata import version
from pathlib import Path

from thidua.memofile import file_stamp, load_dict, save_dict, untouched_since

FORMAT = b"feeds-keys-1"
_CODE = ("build.py", "feeds.py", "unchanged.py")


def code_digest() -> bytes:
    """Digest of what turns items into bytes: this plugin's code and feedgen's and lxml's versions."""
    here = Path(__file__).parent
    parts = [FORMAT, version("feedgen").encode(), version("lxml").encode(), version("nh3").encode()]
    parts += [(here / name).read_bytes() for name in _CODE]
    return _digest(*parts)


def item_digest(item) -> bytes:
    """Digest of every field of one feed item (a frozen dataclass of text, dates and an image)."""
    return hashlib.blake2b(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL), digest_size=16).digest()


def feed_key(code: bytes, spec, kind: str, maximum, item_digests) -> bytes:
    """Digest of everything one feed file is built from."""
    return _digest(
        code, pickle.dumps(spec, protocol=pickle.HIGHEST_PROTOCOL), kind.encode(), repr(maximum).encode(), *item_digests
    )


def keys_path(settings) -> Path | None:
    """Where the keys of the last build are kept (None: no cache folder, every feed is built)."""
    cache = settings.get("CACHE_PATH")
    return Path(cache) / "feeds-keys.pickle" if cache else None


def load_keys(path: Path | None) -> dict[str, tuple[bytes, int, int]]:
    """Return output file → (key, size, mtime in ns) of the last build, or {} (missing or damaged)."""
    return load_dict(path)


def is_unchanged(keys: dict, target: Path, key: bytes) -> bool:
    """Return whether target was built from key and is still as that build left it."""
    return untouched_since(keys.get(str(target)), target, key)


def record(keys: dict, target: Path, key: bytes) -> None:
    """Note the key target was built from, with the size and mtime it has now."""
    keys[str(target)] = (key, *file_stamp(target))


def save_keys(path: Path | None, keys: dict) -> None:
    """Store the keys atomically (a stopped build leaves the previous file whole)."""
    save_dict(path, keys)


def _digest(*parts: bytes) -> bytes:
    return hashlib.blake2b(marshal.dumps(parts), digest_size=16).digest()


class ContentMemo:
    """Each item's content as the last build made it absolute and sanitised, by digest of its input.

    Sanitising and rewriting every listed article's HTML was half of what the feed process spent
    after an edit of one article. An entry is kept while the same HTML and link come in and the
    code (code_digest) is the same; the file holds only this build's entries.
    """

    def __init__(self, path: Path | None, code: bytes):
        self.path, self.code = path, code
        stored = load_dict(path)
        self.previous = stored.get("entries", {}) if stored.get("code") == code else {}
        self.kept: dict[bytes, str] = {}

    def content(self, markup: str, link: str, make) -> str:
        """Return make(markup, link), from the last build when it made the same."""
        key = hashlib.blake2b(f"{link}\0{markup}".encode("utf-8", "surrogatepass"), digest_size=16).digest()
        found = self.kept.get(key)
        if found is None:
            found = self.previous.get(key)
            if found is None:
                found = make(markup, link)
            self.kept[key] = found
        return found

    def save(self) -> None:
        """Store this build's entries, unless they are exactly the last build's."""
        if self.kept.keys() != self.previous.keys():
            save_dict(self.path, {"code": self.code, "entries": self.kept})


def content_memo_path(settings) -> Path | None:
    """Where item contents are kept between builds (None: no cache folder)."""
    cache = settings.get("CACHE_PATH")
    return Path(cache) / "feeds-content.pickle" if cache else None
