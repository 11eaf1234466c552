"""Page fingerprints: a digest of what rendering one page reads, so an unchanged page is not rendered.

A page's fingerprint combines
- the site digest: settings, the theme's templates, the plugins' code, and the shape of the shared
  context (names and URLs of categories, feeds, the URL and date of every listed article);
- the page's own variables: its output path, template, page number, and for each variable the
  template receives beyond the shared context:
  - an article or page: the bytes of its source file and every attribute a plugin attached
    (related news, honourees, images, problems), where another article counts by its metadata
    and a taxonomy term by its name and URL;
  - a list of articles (the whole category, the dates): the URL and date of each, its shape;
  - the page of a paginated list: its number and the metadata of each article on it.

Everything shown about an article on other pages (its title, date, summary, localities on a card,
a related-news link) comes from its metadata (the reader puts the summary there, cut from the
body when the editor gave none) and the site's settings and data, never from the rest of its body:
so an edit further down an article's body renders its own page again, not every page listing it.
A value of a kind not known here raises Unfingerprintable, and that page is simply rendered.

Plain data is digested by pickling it (one C call for a whole list or dict); the pickler hands
every other object back to the fingerprinter, so an article inside still counts by its metadata.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import marshal
import os
import pickle
import types
from collections.abc import Mapping
from functools import cache
from itertools import repeat
from pathlib import Path

from pelican.contents import Content
from pelican.paginator import Page, Paginator
from pelican.urlwrappers import URLWrapper

from thidua.memofile import file_stamp

# Attributes that hold the whole settings or context: covered by the site digest.
SKIPPED_ATTRIBUTES = frozenset({"settings", "_context", "context"})
_PLAIN = frozenset({type(None), bool, int, float})


class Unfingerprintable(TypeError):
    """A value whose digest would not be stable from one build to the next."""


def digest(*parts: bytes) -> bytes:
    """Digest of a sequence of byte strings (marshal keeps their boundaries, in one C call)."""
    return hashlib.blake2b(marshal.dumps(parts), digest_size=16).digest()


def file_digest(path: str | os.PathLike) -> bytes:
    """Return the digest of a file's bytes (b"missing" if it cannot be read)."""
    try:
        return digest(Path(path).read_bytes())
    except OSError:
        return b"missing"


def tree_digest(folders, suffixes: tuple[str, ...] = (), leave_out: tuple[str, ...] = ()) -> bytes:
    """Return the digest of every file with one of these suffixes (any file: none given) under the
    folders (paths included), but those whose name starts with one of leave_out."""
    parts = []
    for folder in folders:
        root = Path(folder)
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if (
                path.is_file()
                and (not suffixes or path.suffix in suffixes)
                and "__pycache__" not in path.parts
                and not path.name.startswith(leave_out)
            ):
                parts.append(digest(path.relative_to(root).as_posix().encode(), file_digest(path)))
    return digest(*parts)


class Fingerprinter:
    """Digests of pages' variables within one build: each source, list and object is digested once.

    Memoized by identity for the whole build: during output nothing changes the articles or the
    lists Pelican and the plugins hand to templates.

    Three ways to see an article held inside a value: "ref" counts its metadata (everything a
    card or a related-news link shows comes from it); "shape" counts its URL and date (what the
    pages of a list depend on besides the articles each shows: their number, the dates of an
    archive); "count" leaves it out, and a list of articles counts as one value whatever its length
    (the shared context: fingerprinted templates show names and URLs from it, never an article or a
    number of articles; the home page, which does, is always rendered).
    """

    def __init__(self, known_sources: dict | None = None):
        # Source path → (size, mtime in ns, digest) from the last build: a source whose file has
        # the same size and mtime is not read again (Pelican's content cache trusts mtimes too).
        self.known_sources = known_sources or {}
        self.source_stamps: dict[str, tuple[int, int, bytes]] = {}  # this build's, for the next
        self._memo: dict[tuple[str, int], tuple[object, bytes]] = {}  # (mode, id) → (object, digest)
        self._sources: dict[str, bytes] = {}
        self._active: set[tuple[str, int]] = set()
        # (mode, id of each article) → digest of a run of articles, and the runs themselves, kept
        # alive so that no id is reused while the build lasts.
        self._runs: dict[tuple, bytes] = {}
        self._terms: dict[tuple, bytes] = {}  # (class, name, slug, settings) → digest of a plain term
        # mode → id of a content → what stands for it inside a value digested in that mode: lists
        # of articles (560,000 articles listed on the 22,700 pages of a 10,000-article site) are
        # digested from these in C-level passes.
        self._tokens: dict[str, dict[int, bytes]] = {"ref": {}, "shape": {}, "count": {}}
        self._kept: list = []  # what the memos above know by id, kept alive so no id is reused
        # Digest of what links between contents resolve through ({filename}other.md), given by the
        # caller; counted only for contents whose text holds such a link.
        self.links = None
        self._links_digest = None

    def source(self, content) -> bytes:
        """Return the digest of a content object's source file (its path and bytes)."""
        path = getattr(content, "source_path", None)
        if not path:
            raise Unfingerprintable(f"{type(content).__name__} without a source file")
        found = self._sources.get(path)
        if found is None:
            stamp = file_stamp(path)
            known = self.known_sources.get(path)
            if stamp is not None and known is not None and tuple(known[:2]) == stamp:
                found = known[2]
            else:
                found = digest(str(path).encode(), file_digest(path))  # stamp taken first: a later change shows
            self._sources[path] = found
            if stamp is not None:
                self.source_stamps[path] = (*stamp, found)
        return found

    def full(self, value) -> bytes:
        """Digest of a variable the template receives for this page."""
        if isinstance(value, Content):
            return self._memoized(
                "full",
                value,
                lambda: digest(b"C", self.source(value), self._attributes(value, "ref"), self._links(value)),
            )
        if isinstance(value, Page):
            return digest(
                b"P", str(value.number).encode(), self.run(value.object_list, "ref"), self.shape(value.paginator)
            )
        if isinstance(value, (list, tuple, Paginator)):
            return self.shape(value)
        if isinstance(value, URLWrapper) or _has_state(value):
            return self._memoized(
                "full", value, lambda: digest(b"O", _type_name(value), self._attributes(value, "ref"))
            )
        return self.ref(value)

    def run(self, items, mode: str) -> bytes:
        """Digest of the articles on one page of a list (as `ref` or `shape` gives it), memoized.

        Pelican slices a new list for each page of a paginated list and for its neighbours, so a
        run is known by the identity of its articles rather than of the list that holds them.
        """
        if not isinstance(items, (list, tuple)) or not all(map(isinstance, items, repeat(Content))):
            return self._walk(items, mode)
        key = (mode, *map(id, items))
        found = self._runs.get(key)
        if found is None:
            found = self._runs[key] = self._walk(items, mode)
            self._kept.append(list(items))
        return found

    def _shown_elsewhere(self, content) -> bytes:
        """Digest of what other pages can show of a content: its metadata, not the rest of its body.

        Articles inside the metadata count by URL and date. Without a summary in the metadata
        Pelican cuts one from the body, which then counts as a whole (its source file).
        """
        metadata = getattr(content, "metadata", None)
        if type(metadata) is not dict:
            return b"C" + self.source(content)
        parts = [b"K", self._pickled(metadata, "shape")]
        if "summary" not in metadata:
            parts.append(self.source(content))
        return digest(*parts)

    def _articles(self, items, mode: str) -> bytes | None:
        """Digest of a list of contents from their tokens; None when it holds anything else."""
        if not all(map(isinstance, items, repeat(Content))):
            return None
        tokens = self._tokens[mode]
        parts = list(map(tokens.get, map(id, items)))
        if None in parts:
            parts = [self._content(item, mode) for item in items]
        return digest(b"A", *parts)

    def _links(self, content) -> bytes:
        """Digest of every content's URL when this content's text links to others, else nothing."""
        finder = getattr(content, "_get_intrasite_link_regex", None)
        text = getattr(content, "_content", "") or ""
        if finder is not None and not finder().search(text):
            return b""
        if self.links is None:
            raise Unfingerprintable("a content links to others and their URLs are unknown")
        if self._links_digest is None:
            self._links_digest = self.links()
        return self._links_digest

    def ref(self, value) -> bytes:
        """Digest of a value, articles inside it counted by their source files."""
        return self._walk(value, "ref")

    def shape(self, value) -> bytes:
        """Digest of a value, articles inside it counted by their URL and date only."""
        return self._walk(value, "shape")

    def count(self, value) -> bytes:
        """Digest of a value, articles inside it only counted (how the shared context is seen)."""
        return self._walk(value, "count")

    def _walk(self, value, mode: str) -> bytes:
        # One dictionary lookup by exact type finds how a kind of value is digested; the chain of
        # isinstance checks runs once per type (a 10,000-article site walks millions of values).
        kind = type(value)
        if kind is str:
            return _text(value)
        way = _WAYS.get(kind)
        if way is None:
            way = _WAYS[kind] = _way_for(kind)
        return way(self, value, mode)

    def _plain(self, value, mode: str) -> bytes:
        return repr(value).encode()

    def _string(self, value, mode: str) -> bytes:
        return b"s" + value.encode("utf-8", "surrogatepass")

    def _bytes(self, value, mode: str) -> bytes:
        return b"b" + value

    def _moment(self, value, mode: str) -> bytes:
        return b"d" + value.isoformat().encode() + str(getattr(value, "tzinfo", "")).encode()

    def _path(self, value, mode: str) -> bytes:
        return b"p" + os.fsencode(value)

    def _zone(self, value, mode: str) -> bytes:
        return b"z" + str(value).encode()

    def _module(self, value, mode: str) -> bytes:
        return b"M" + value.__name__.encode()

    def _content(self, value, mode: str) -> bytes:
        tokens = self._tokens[mode]
        found = tokens.get(id(value))
        if found is None:
            if mode == "ref":
                found = self._shown_elsewhere(value)
            elif mode == "count":
                found = b"c"
            else:
                date = self._walk(getattr(value, "date", None), mode)
                found = digest(b"c", str(getattr(value, "url", "")).encode(), date)
            tokens[id(value)] = found
            self._kept.append(value)
        return found

    def _term(self, value, mode: str) -> bytes:
        # The same terms recur on every page; their URL is formatted from the settings on each access.
        # Pelican makes a Tag, an Author and a Category for every article that names one: a term
        # holding nothing but its name, slug and settings is known by those, whatever its identity.
        if _PLAIN_TERM_STATE.issuperset(vars(value)):
            key = (type(value), value.name, value.slug, id(value.settings))
            found = self._terms.get(key)
            if found is None:
                found = self._terms[key] = self._term_digest(value)
                self._kept.append(value.settings)  # no other settings object takes its id
            return found
        return self._memoized("term", value, lambda: self._term_digest(value))

    def _term_digest(self, value) -> bytes:
        return digest(b"U", _type_name(value), value.name.encode(), str(value.slug).encode(), str(value.url).encode())

    def _paginator(self, value, mode: str) -> bytes:
        return digest(b"G", str(value.num_pages).encode(), str(value.per_page).encode(), self.shape(value.object_list))

    def _list(self, value, mode: str) -> bytes:
        if mode == "count":
            return self._memoized(mode, value, lambda: self._sequence(value, mode))
        # A subclass (Pelican's MemberList) is pickled as the plain list it holds.
        plain = value if type(value) in (list, tuple) else list(value)
        return self._memoized(mode, value, lambda: self._articles(plain, mode) or self._pickled(plain, mode))

    def _mapping(self, value, mode: str) -> bytes:
        if mode == "count" or type(value) is not dict:
            return self._memoized(mode, value, lambda: self._pairs(b"m", value.items(), mode))
        return self._memoized(mode, value, lambda: self._pickled(value, mode))

    def _set(self, value, mode: str) -> bytes:
        return digest(b"S", *sorted(self._walk(item, mode) for item in value))

    def _other(self, value, mode: str) -> bytes:
        if callable(value) and hasattr(value, "__qualname__"):
            code = getattr(value, "__code__", None)
            return digest(b"f", _type_name(value), code.co_code if code else b"")
        if _has_state(value):
            # An object in a list (an honouree on the roll) is shown with what it names: its
            # article by metadata (the roll shows its title), not by URL and date as a list's own
            # articles are, which the page shows through its paginator page (`ref`).
            inner = "ref" if mode == "shape" else mode
            return self._memoized(mode, value, lambda: digest(b"O", _type_name(value), self._attributes(value, inner)))
        raise Unfingerprintable(f"no stable digest for a {type(value).__name__}")

    def _pickled(self, value, mode: str) -> bytes:
        """Digest of plain data (lists, tuples, dicts of plain values) pickled in one C call.

        Pickle writes the built-in kinds itself and hands every other object to _walk (through
        _DigestPickler.reducer_override), so an article inside still counts by its source file.
        Dicts keep their insertion order and sets their iteration order: a value built in another
        order only makes the page render once more, never skip wrongly.
        """
        buffer = io.BytesIO()
        pickler = _DigestPickler(buffer, self, mode)
        # No memo: an object met twice is written twice, so the digest depends on values only, never
        # on which of them happen to be one object. An article unpickled from Pelican's content cache
        # shares other objects than the same article read from its file, and every article page
        # was rendered again on the first build from the cache.
        pickler.fast = True
        pickler.dump(value)
        return hashlib.blake2b(buffer.getbuffer(), digest_size=16).digest()

    def _sequence(self, value, mode: str) -> bytes:
        """Digest of a list or tuple; in "count" mode a list of articles is one value whatever its length.

        The shared context's article lists (a category's, a locality's) only grow or shrink when an
        article is added or removed; fingerprinted templates show no count from them, and the pages
        that list the article have it among their own variables.
        """
        if mode == "count" and value and all(isinstance(item, Content) for item in value):
            return b"L"
        walk = self._walk
        return digest(b"l", *(_text(item) if type(item) is str else walk(item, mode) for item in value))

    def _attributes(self, value, mode: str) -> bytes:
        """Digest of an object's attributes (settings and context left out)."""
        # Pelican copies each metadata value to an attribute of the same name: the second sight of
        # an object already digested is a token lookup by identity (see _DigestPickler).
        kept = _attribute_items(value)
        if mode == "count":
            return self._pairs(b"a", kept, mode)
        return self._pickled(kept, mode)

    def _pairs(self, tag: bytes, items, mode: str) -> bytes:
        """Digest of (key, value) pairs in a stable order, in one hash."""
        walk = self._walk
        pairs = sorted(
            (
                _text(key) if type(key) is str else walk(key, mode),
                _text(item) if type(item) is str else walk(item, mode),
            )
            for key, item in items
        )
        return digest(tag, *(part for pair in pairs for part in pair))

    def _memoized(self, mode: str, value, compute) -> bytes:
        key = (mode, id(value))
        found = self._memo.get(key)
        if found is not None and found[0] is value:
            return found[1]
        if key in self._active:  # a cycle: the object is being digested further up
            return b"cycle"
        self._active.add(key)
        try:
            result = compute()
        finally:
            self._active.discard(key)
        self._memo[key] = (value, result)
        return result


def _way_for(kind: type):
    """Return the Fingerprinter method that digests values of this exact type."""
    checks = [
        ((type(None), bool, int, float), Fingerprinter._plain),
        (str, Fingerprinter._string),
        (bytes, Fingerprinter._bytes),
        ((datetime.datetime, datetime.date, datetime.time), Fingerprinter._moment),
        (os.PathLike, Fingerprinter._path),
        (datetime.tzinfo, Fingerprinter._zone),
        (types.ModuleType, Fingerprinter._module),
        (Content, Fingerprinter._content),
        (URLWrapper, Fingerprinter._term),
        (Paginator, Fingerprinter._paginator),
        ((list, tuple), Fingerprinter._list),
        ((set, frozenset), Fingerprinter._set),
        (Mapping, Fingerprinter._mapping),
    ]
    for kinds, way in checks:
        if issubclass(kind, kinds):
            return way
    return Fingerprinter._other


# What URLWrapper.__init__ and as_dict() store: a term with nothing else has its URL from these.
_PLAIN_TERM_STATE = frozenset({"settings", "_name", "_slug", "_slug_from_name", "name", "slug"})

# Exact type → how its values are digested, filled in as types are met.
_WAYS: dict[type, object] = {}
# The ways whose digest of an object stays the same for the whole build (memoized by identity,
# or a term known by its name and slug): its token can be looked up by identity at once.
_BY_IDENTITY = (Fingerprinter._term, Fingerprinter._other)


class _DigestPickler(pickle.Pickler):
    """A pickler that writes each object of a kind pickle does not know as its digest from _walk."""

    def __init__(self, buffer, fingerprinter: Fingerprinter, mode: str):
        super().__init__(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        self.fingerprinter = fingerprinter
        self.mode = mode
        self.tokens = fingerprinter._tokens[mode]  # contents met before: their token at once

    def reducer_override(self, value):
        # bytes(token) pickles as a reference to the built-in and its argument.
        if value is bytes:
            return NotImplemented
        found = self.tokens.get(id(value))
        if found is None:
            kind = type(value)
            way = _WAYS.get(kind)
            if way is None:
                way = _WAYS[kind] = _way_for(kind)
            # A plain object (an honouree, a gazetteer unit) is digested once and memoized: the
            # honour roll's pages list the same 11,000 honourees twice over (a third of the time).
            found = way(self.fingerprinter, value, self.mode)
            if way in _BY_IDENTITY and found != b"cycle":
                # Known by identity for the rest of the build, as contents are: an article's page
                # meets a dozen terms and objects, each seen on many other pages. A term's digest
                # is the same in every mode: an article's terms are met in its page's variables
                # (ref) and again in its metadata (shape), as new objects, so it is noted for all.
                modes = self.fingerprinter._tokens.values() if way is Fingerprinter._term else (self.tokens,)
                for tokens in modes:
                    tokens[id(value)] = found
                self.fingerprinter._kept.append(value)
        return bytes, (found,)


def _attribute_items(value) -> list[tuple[str, object]]:
    """Return an object's (attribute, value) pairs sorted by name, settings and context left out."""
    if hasattr(value, "__dict__"):
        items = vars(value).items()
    else:
        items = [(name, getattr(value, name)) for name in _slots(value) if hasattr(value, name)]
    return sorted((k, v) for k, v in items if k not in SKIPPED_ATTRIBUTES)


def _text(value: str) -> bytes:
    return b"s" + value.encode("utf-8", "surrogatepass")


def _type_name(value) -> bytes:
    named = isinstance(value, type) or (callable(value) and hasattr(value, "__qualname__"))
    if named:
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__name__)}".encode()
    return _class_name(type(value))


@cache
def _class_name(kind: type) -> bytes:
    return f"{getattr(kind, '__module__', '')}.{getattr(kind, '__qualname__', kind.__class__.__name__)}".encode()


def _slots(value) -> tuple[str, ...]:
    return _slot_names(type(value))


@cache
def _slot_names(kind: type) -> tuple[str, ...]:
    names = []
    for base in kind.__mro__:
        slots = base.__dict__.get("__slots__", ())
        names.extend([slots] if isinstance(slots, str) else slots)
    return tuple(n for n in names if n not in ("__dict__", "__weakref__"))


def _has_state(value) -> bool:
    """Return whether an object is plain data held in attributes (instances of our own classes)."""
    return not isinstance(value, type) and (hasattr(value, "__dict__") or bool(_slots(value)))
