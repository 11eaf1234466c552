"""Index the pages in shards and merge the shards into one bundle, so an edit re-indexes one shard.

Pagefind has no incremental mode: on 10,000 articles it takes about 17 s to index them again
after one sentence changes. But what a Pagefind bundle holds about a page depends on that page
alone (its words and their positions, its filter values, its fragment); only the page *numbers*
depend on the other pages. So the pages are split into shards by a stable hash of their path,
Pagefind indexes each shard on its own (kept in the cache by the shard's pages), and the shards
are merged: pages listed shard after shard, and each word's page lists concatenated, shifting only
the first page number of each shard's part (page lists hold differences between page numbers).

The merged bundle is our own encoding of Pagefind's format (bundle.py has the details), with
filter values and spellings sorted, so the same pages give the same bytes whatever the order
Pagefind worked in. Anything unexpected raises FormatError before the target is touched; the
caller then indexes every page in one request instead.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import itertools
import json
import logging
import os
import pickle
import re
import shutil
import subprocess
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from thidua.memofile import code_digest, file_stamp, load_dict, save_dict
from thidua.publishing.releases import scan

from .bundle import (
    FormatError,
    _head,
    _name,
    _read_head,
    _scan_pages,
    capped_bytes,
    cbor_dumps,
    cbor_loads,
    check_version,
    chunk_bounds,
    compressed_size,
    drop_hidden_meta,
    pack,
    pf_bytes,
    read_entry_file,
    read_pf,
    split_words,
    walk_entry,
)
from .prepared import page_digest, page_text

logger = logging.getLogger(__name__)

# Bump when Shard or its parsing changes: cached shards are then parsed again.
SHARD_FORMAT = 2  # 2: fragments without the hidden metadata (bundle.drop_hidden_meta)
PARSED = "parsed.pickle"

# A page list: (pages, first page number, last page number, offset of the bytes after the first
# page's number, the list's CBOR). Only the first number changes when lists are concatenated.
PageList = tuple[int, int, int, int, bytes]


@dataclass
class Shard:
    """What the merge needs of one shard's Pagefind bundle."""

    version: str
    language: str
    entry: dict
    pages: list  # [fragment hash, word count] per page, in Pagefind's order
    fields: list[str]  # metadata fields, whose index the metadata-field positions refer to
    filters: dict[str, dict[str, list[int]]]
    words: dict[str, dict[str, PageList]]  # word -> spelling ("" for the word itself) -> pages
    found: dict[str, int]  # word -> pages holding it under any spelling
    capped: dict[tuple[str, str, int], PageList] = field(default_factory=dict)
    changed: bool = False


def shard_count(pages: int, per_shard: int) -> int:
    """Return the number of shards for this many pages: the power of two giving at most per_shard each.

    A power of two, so that when a site grows past a step each shard splits in two.
    """
    count = 1
    while pages > count * per_shard:
        count *= 2
    return count


def shard_of(save_as: str, count: int) -> int:
    """Return the shard of a page: stable for its path, whatever other pages exist."""
    return int.from_bytes(hashlib.sha256(save_as.encode()).digest()[:4], "big") % count


def split_pages(pages: list[tuple[str, str]], per_shard: int) -> list[list[tuple[str, str]]]:
    """Return the non-empty shards of (save_as, page) pairs, each in save_as order."""
    count = shard_count(len(pages), per_shard)
    shards: list[list[tuple[str, str]]] = [[] for _ in range(count)]
    for save_as, page in sorted(pages):
        shards[shard_of(save_as, count)].append((save_as, page))
    return [shard for shard in shards if shard]


# --- Reading one shard ---

_ITEM = rb"(?:[\x00-\x17\x20-\x37]|[\x18\x38].|[\x19\x39]..|[\x1a\x3a]....)"


@lru_cache(maxsize=512)
def _items(count: int) -> re.Pattern:
    """Return a pattern matching `count` CBOR integers (what location lists are made of)."""
    return re.compile(_ITEM + b"{%d}" % count, re.DOTALL)


def _skip_ints(data: bytes, pos: int) -> int:
    """Return the position after the array of integers at pos."""
    first = data[pos]
    if 0x80 <= first < 0x98:
        count, pos = first - 0x80, pos + 1
    else:
        major, count, pos = _read_head(data, pos)
        if major != 4:
            raise FormatError("locations must be an array")
    if count == 0:
        return pos
    match = _items(count).match(data, pos)
    if match is None:
        raise FormatError("locations must be integers")
    return match.end()


def read_page_list(data: bytes, pos: int, found: set[int]) -> tuple[PageList, int]:
    """Read the page list at pos (adding its page numbers to found); return it and the position after it."""
    start = pos
    major, count, pos = _read_head(data, pos)
    if major != 4:
        raise FormatError("a word's pages must be an array")
    number = first = 0
    skip = pos
    for index in range(count):
        if data[pos] != 0x83:
            raise FormatError("a page must be [page delta, locations, meta locations]")
        major, delta, pos = _read_head(data, pos + 1)
        if major != 0:
            raise FormatError("a page number must be an unsigned integer")
        number += delta
        found.add(number)
        if index == 0:
            first, skip = number, pos
        pos = _skip_ints(data, _skip_ints(data, pos))
    return (count, first, number, skip - start, data[start:pos]), pos


def read_entry(entry: bytes) -> tuple[str, dict[str, PageList], int]:
    """Return a word entry's word, its page lists by spelling, and how many pages hold it."""
    found: set[int] = set()
    word, pairs = walk_entry(entry, lambda data, pos: read_page_list(data, pos, found))
    lists = dict(pairs)
    if len(lists) != len(pairs) or any(not form for form, _ in pairs[1:]):
        raise FormatError(f"a spelling of {word!r} is empty or listed twice")
    return word, lists, len(found)


def read_shard(bundle: Path) -> Shard:
    """Read a Pagefind bundle of one shard; raise FormatError on anything the merge does not know."""
    try:
        entry = read_entry_file(bundle)  # the format below is Pagefind 1.5.2's
        (language, info), *others = entry["languages"].items()
        if others:
            raise FormatError("a shard must hold one language")
        meta = cbor_loads(read_pf(bundle / f"pagefind.{info['hash']}.pf_meta"))
        if not (isinstance(meta, list) and len(meta) == 6 and meta[0] == entry["version"] and meta[4] == []):
            raise FormatError("unexpected metadata (fields, version or sort orders)")
        fields = meta[5]
        if fields != sorted(set(fields)):
            raise FormatError("metadata fields are not sorted")
        filters = {}
        for name, file_hash in meta[3]:
            filter_name, values = cbor_loads(read_pf(bundle / "filter" / f"{file_hash}.pf_filter"))
            if filter_name != name:
                raise FormatError(f"filter file of {name!r} names {filter_name!r}")
            filters[name] = {value: pages for value, pages in values}
        words, found = {}, {}
        for _, _, chunk in meta[2]:
            for key, data in split_words(read_pf(bundle / "index" / f"{chunk}.pf_index")):
                word, lists, holding = read_entry(data)
                if word != key or word in words:
                    raise FormatError(f"the word {word!r} is listed twice")
                words[word], found[word] = lists, holding
    except FormatError:
        raise
    except (OSError, KeyError, TypeError, ValueError, IndexError) as error:
        raise FormatError(f"unexpected Pagefind shard: {error!r}") from error
    return Shard(entry["version"], language, entry, meta[1], fields, filters, words, found)


# --- Merging ---


def _remap_fields(page_list: PageList, mapping: list[int]) -> PageList:
    """Return a page list whose metadata-field positions refer to the merged field list."""
    count, first, last, skip, data = page_list
    if not count:
        return page_list
    pages = cbor_loads(data)
    for page in pages:
        page[2] = [-mapping[-value - 1] - 1 if value < 0 else value for value in page[2]]
    data = cbor_dumps(pages)
    _, _, pos = _read_head(data, 0)
    _, _, skip = _read_head(data, pos + 1)
    return count, first, last, skip, data


def cap_page_list(page_list: PageList, limit: int) -> PageList:
    """Return a page list whose pages keep their `limit` heaviest positions (see bundle.cap_word)."""
    count, first, last, skip, data = page_list
    pages, _ = _scan_pages(data, 0)
    return count, first, last, skip, capped_bytes(data, [pages], limit)


def join_page_lists(parts: list[tuple[int, PageList]]) -> bytes:
    """Return one page list made of (page offset, page list) parts in page order."""
    out = [_head(4, sum(part[0] for _, part in parts))]
    previous = 0
    for offset, (_, first, last, skip, data) in parts:
        out.append(b"\x83" + _head(0, offset + first - previous) + data[skip:])
        previous = offset + last
    return b"".join(out)


def _text(value: str) -> bytes:
    data = value.encode()
    return _head(3, len(data)) + data


def merged_entry(word: str, parts: list[tuple[int, dict[str, PageList]]]) -> bytes:
    """Return the entry of a word found in several shards: its own pages, then each spelling's, sorted."""
    own = [(offset, lists[""]) for offset, lists in parts if lists[""][0]]
    forms = sorted({form for _, lists in parts for form in lists if form})
    out = [_head(4, 3), _text(word), join_page_lists(own), _head(4, len(forms))]
    for form in forms:
        joined = join_page_lists([(offset, lists[form]) for offset, lists in parts if form in lists])
        out += [_head(4, 2), _text(form), joined]
    return b"".join(out)


def _capped(shard: Shard, word: str, limit: int) -> dict[str, PageList]:
    lists = {}
    for form, page_list in shard.words[word].items():
        key = (word, form, limit)
        if key not in shard.capped:
            shard.capped[key] = cap_page_list(page_list, limit)
            shard.changed = True
        lists[form] = shard.capped[key]
    return lists


@dataclass
class Merged:
    """What a merge brought its target to, for the next merge into it: an edit changes a few shards.

    names: the shards' folder names in order (each a digest of its pages); shape: what every
    entry also depends on (page offsets, page count, capping and chunk settings, metadata fields);
    words: word → (entry, compressed size) in word order; files: the target's manifest (write_files);
    chunks: (index chunk file, how many words it holds) in order.
    """

    names: list[str]
    shape: tuple
    words: dict[str, tuple[bytes, int | None]]
    files: dict = field(default_factory=dict)
    chunks: list = field(default_factory=list)


def _entry(word: str, holding: list[tuple[int, Shard]], least: float | None, limit: int, budget: int) -> bytes:
    """Return a word's merged entry, its positions capped when it is common (bundle.py)."""
    entry = merged_entry(word, [(offset, shard.words[word]) for offset, shard in holding])
    if (
        least is not None
        and sum(shard.found[word] for _, shard in holding) >= least
        and len(entry) >= 4 * least
        and compresses_beyond(entry, budget)
    ):
        entry = merged_entry(word, [(offset, _capped(shard, word, limit)) for offset, shard in holding])
    return entry


def _changed_words(last, shards: list[Shard], names: list[str], fields: list[str], old_shard) -> set[str] | None:
    """Return the words whose page lists differ between the last merge's shards and these, or None
    when that cannot be told (another number of shards, a shard of the last merge gone or numbered
    to other metadata fields)."""
    if len(last.names) != len(names):
        return None
    changed = set()
    for before_name, name, shard in zip(last.names, names, shards, strict=True):
        if before_name == name:
            continue
        before = old_shard(before_name)
        if before is None or before.fields != fields:
            return None
        now = shard.words
        changed.update(w for w in before.words.keys() | now.keys() if before.words.get(w) != now.get(w))
    return changed


def merge_words(
    shards: list[Shard],
    offsets: list[int],
    total: int,
    share: float | None,
    limit: int,
    budget: int,
    fields: list[str] | None = None,
    names: list[str] | None = None,
    last: Merged | None = None,
    old_shard=lambda name: None,
) -> dict[str, tuple[bytes, int | None]]:
    """Return word → (merged entry, compressed size or None) in word order, common words capped.

    last: the previous merge (Merged) with the same shape (page offsets, settings and metadata
    fields): only the words whose page lists differ in the shards that changed since (read by
    old_shard(folder name)) are merged again, the others keep the last merge's entries. An edit
    changes the words of one page: tens to thousands of 65,000 words at 10,000 articles.
    """
    fields = list(fields if fields is not None else shards[0].fields if shards else [])
    least = None if share is None else share * total
    shape = (tuple(offsets), total, share, limit, budget, tuple(fields))
    todo = None
    if last is not None and names is not None and last.shape == shape:
        todo = _changed_words(last, shards, names, fields, old_shard)
    logger.debug("search: words of %s merged again", "all shards" if todo is None else f"{len(todo)} words")
    if todo is None:
        holders: dict[str, list[tuple[int, Shard]]] = {}
        for offset, shard in zip(offsets, shards, strict=True):
            for word in shard.words:
                holders.setdefault(word, []).append((offset, shard))
        return {word: (_entry(word, holders[word], least, limit, budget), None) for word in sorted(holders)}
    words = dict(last.words)
    added = False
    for word in todo:
        holding = [(offset, shard) for offset, shard in zip(offsets, shards, strict=True) if word in shard.words]
        if not holding:
            del words[word]
            continue
        added = added or word not in words
        words[word] = (_entry(word, holding, least, limit, budget), None)
    return dict(sorted(words.items())) if added else words


def compresses_beyond(data: bytes, budget: int, step: int = 16384) -> bool:
    """Return len(zlib.compress(data, 1)) > budget, compressing only as far as needed to know.

    A common word's entry lists every page: hundreds of kilobytes, against a budget of a few.
    Its compressed bytes only grow as more is fed in, so once they exceed the budget the answer
    is known; otherwise the whole is compressed and counted exactly.
    """
    compressor = zlib.compressobj(1)
    size = 0
    for start in range(0, len(data), step):
        size += len(compressor.compress(data[start : start + step]))
        if size > budget:
            return True
    return size + len(compressor.flush()) > budget


def merge_filters(shards: list[Shard], offsets: list[int]) -> list:
    """Return [[filter, [[value, pages]...]]...] with values sorted and page numbers shifted."""
    merged: dict[str, dict[str, list[int]]] = {}
    for shard, offset in zip(shards, offsets, strict=True):
        for name, values in shard.filters.items():
            for value, pages in values.items():
                merged.setdefault(name, {}).setdefault(value, []).extend(offset + page for page in pages)
    return [[name, [[value, merged[name][value]] for value in sorted(merged[name])]] for name in sorted(merged)]


def _align_fields(shards: list[Shard]) -> list[str]:
    """Return the merged metadata fields, rewriting the shards that lack some of them."""
    fields = sorted({name for shard in shards for name in shard.fields})
    for shard in shards:
        if shard.fields != fields:
            mapping = [fields.index(name) for name in shard.fields]
            shard.words = {
                word: {form: _remap_fields(pages, mapping) for form, pages in lists.items()}
                for word, lists in shard.words.items()
            }
            shard.capped.clear()
            shard.fields = fields
    return fields


def page_ids(hashes: list[str]) -> list[str]:
    """Return a short id for each page, in the order of its fragment hash in hashes: the shortest
    start, of at least 4 base-32 characters, of a digest of that hash that no other page's shares.

    Every first query downloads the metadata file listing each page's id (10,000 of them at 10,000
    articles): Pagefind's own ("vi_" and 7 hex digits) take 72.7 KB of it compressed, these 54.5 KB.
    An id depends on Pagefind's hash (so on the page) and on the pages sharing its start: an
    unchanged page keeps its fragment file unless a new page's id starts like it. Lower case only,
    for file systems that ignore case. Why not 3 characters (49.9 KB): the fragment files are
    cached by name (the record of written files, and browsers for an hour), and a name used again for another page
    must stay unlikely (one in a million for two pages at 20 bits; Pagefind's own are 28 bits).
    Shards are indexed by separate Pagefind runs, so two pages of different shards can get the
    same 28-bit hash (about one site in six at 10,000 articles): the second one's digest is taken
    of the hash and its rank among equal hashes, so each page still has its own id.
    """
    seen: dict[str, int] = {}
    keys = []
    for file_hash in hashes:
        rank = seen[file_hash] = seen.get(file_hash, -1) + 1
        keys.append(file_hash if not rank else f"{file_hash}#{rank}")
    full = sorted((_page_code(k), k) for k in keys)
    ids = {}
    for i, (code, key) in enumerate(full):
        shared = max((_common(code, full[j][0]) for j in (i - 1, i + 1) if 0 <= j < len(full)), default=0)
        ids[key] = code[: max(4, shared + 1)]
    return [ids[key] for key in keys]


@lru_cache(maxsize=1 << 16)
def _page_code(key: str) -> str:
    """The digest a page id is the start of (page_ids), kept for the next build of this process."""
    return base64.b32encode(hashlib.sha256(key.encode()).digest()).decode().lower()


def _common(a: str, b: str) -> int:
    """Return the length of the start a and b share."""
    return len(os.path.commonprefix([a, b]))


def _fill_sizes(words: dict[str, tuple[bytes, int | None]]) -> list[int]:
    """Return each entry's compressed size (bundle.pack), computing those not known yet (in place)."""
    unknown = [word for word, (_, size) in words.items() if size is None]
    with ThreadPoolExecutor() as pool:  # zlib releases the GIL
        for word, size in zip(unknown, pool.map(lambda w: compressed_size(words[w][0]), unknown), strict=True):
            words[word] = (words[word][0], size)
    return [size for _, size in words.values()]


def merge(
    folders: list[Path],
    shards: list[Shard],
    target: Path,
    budget: int,
    share: float | None,
    limit: int,
    last: Merged | None = None,
    keep: frozenset[str] = frozenset(),
    trash: Path | None = None,
) -> Merged:
    """Bring target to the bundle of all shards (read from `folders`); return what was merged.

    last: the previous merge into target (Merged): only the words of the shards that changed
    since are merged again, and only files that changed are written (write_files). keep: files at
    the top of target that are not the bundle's (names.json…), left alone. trash: see discard.
    """
    first = shards[0]
    for folder, shard in zip(folders, shards, strict=True):
        check_version(shard.version, f"the shard in {folder}")
    if any((s.version, s.language) != (first.version, first.language) for s in shards):
        raise FormatError("shards were indexed by different Pagefind versions or languages")
    fields = _align_fields(shards)
    offsets, total = [], 0
    for shard in shards:
        offsets.append(total)
        total += len(shard.pages)
    names = [folder.name for folder in folders]
    words = merge_words(
        shards,
        offsets,
        total,
        share,
        limit,
        budget,
        fields,
        names,
        last,
        lambda name: shard_at(folders[0].parent / name),
    )
    sizes = _fill_sizes(words)
    language = first.language

    wanted: dict[str, tuple[str, object]] = {}
    for path in sorted(folders[0].iterdir()):
        if path.is_file() and not path.name.startswith(PARSED) and not path.name.endswith((".pf_meta", "-entry.json")):
            wanted[path.name] = (f"{folders[0].name}/{path.name}", path)
    placed = [
        (folder, file_hash, words)
        for folder, shard in zip(folders, shards, strict=True)
        for file_hash, words in shard.pages
    ]
    ids = page_ids([file_hash for _, file_hash, _ in placed])
    alike = {h for h, n in Counter(file_hash for _, file_hash, _ in placed).items() if n > 1}
    for (folder, file_hash, _), page_id in zip(placed, ids, strict=True):
        source = f"{folder}/fragment/{file_hash}.pf_fragment"  # not a Path: 10,000 of them per build
        # Pagefind's hash names the fragment's bytes, unless two pages of different shards share it.
        key = f"{folder.name}/{file_hash}" if file_hash in alike else file_hash
        wanted[f"fragment/{page_id}.pf_fragment"] = (key, source)

    def made_of(cbor: bytes, sha: bytes, relative: str) -> None:
        wanted[relative] = (sha.hex(), lambda: pf_bytes(cbor))

    taken: set[str] = set()
    filters = []
    for item in merge_filters(shards, offsets):
        cbor = cbor_dumps(item)
        sha = hashlib.sha256(cbor).digest()
        name = _name(language, cbor, 7, taken, sha)
        made_of(cbor, sha, f"filter/{name}.pf_filter")
        filters.append([item[0], name])

    runs = pack([(word, entry) for word, (entry, _) in words.items()], budget, sizes)
    chunks = []
    for (start, end), run in zip(chunk_bounds(runs), runs, strict=True):
        cbor = _head(4, 1) + _head(4, len(run)) + b"".join(entry for _, entry in run)
        sha = hashlib.sha256(cbor).digest()
        chunks.append([start, end, _name(language, cbor, 7, taken, sha)])
        made_of(cbor, sha, f"index/{chunks[-1][2]}.pf_index")

    pages = [[page_id, words] for (_, _, words), page_id in zip(placed, ids, strict=True)]
    cbor = cbor_dumps([first.version, pages, chunks, filters, [], fields])
    meta_hash = _name(language, cbor, 10, set())
    made_of(cbor, hashlib.sha256(cbor).digest(), f"pagefind.{meta_hash}.pf_meta")
    entry = dict(first.entry)
    entry["languages"] = {language: {**first.entry["languages"][language], "hash": meta_hash, "page_count": total}}
    text = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
    wanted["pagefind-entry.json"] = (hashlib.sha256(text).hexdigest(), text)
    files = write_files(target, wanted, last.files if last is not None else {}, keep, trash)
    shape = (tuple(offsets), total, share, limit, budget, tuple(fields))
    index = [(f"index/{name}.pf_index", len(run)) for (_, _, name), run in zip(chunks, runs, strict=True)]
    return Merged(names, shape, words, files, index)


def write_files(
    target: Path, wanted: dict, known: dict, keep: frozenset[str] = frozenset(), trash: Path | None = None
) -> dict:
    """Make target hold exactly the wanted files (and those named in keep, at its top); return its manifest.

    wanted: relative path → (key naming the bytes, source): a file to copy (a path or its string),
    bytes, or a function making them. known: the manifest the last call returned, relative path → (key, size, mtime in
    ns): a file still so is not even read; 10,000 fragments and 1,900 index chunks stay as they are
    for one stat each. Any other is written only if its bytes differ (mtimes stay put: the preview
    copies what changed by them), under a temporary name renamed over the old file (which may be
    a hard link of a published release's). trash: where files no longer wanted go (discard).
    """
    found = {relative: (stat.st_size, stat.st_mtime_ns) for relative, stat in scan(target).items()}
    for relative in sorted(found.keys() - wanted.keys() - keep):
        discard(os.path.join(target, relative), trash)
        with contextlib.suppress(OSError):  # a folder left empty
            os.removedirs(os.path.dirname(os.path.join(target, relative)))
    files = {}
    todo = []
    for relative, (key, _) in wanted.items():
        stamp = found.get(relative)
        if stamp is not None and known.get(relative) == (key, *stamp):
            files[relative] = known[relative]
        else:
            todo.append(relative)

    def data_of(relative):
        source = wanted[relative][1]
        return (
            Path(source).read_bytes() if isinstance(source, (str, Path)) else source() if callable(source) else source
        )

    with ThreadPoolExecutor() as pool:  # zlib releases the GIL
        made = pool.map(data_of, todo)
        for relative, data in zip(todo, made, strict=True):
            path = os.path.join(target, relative)
            if found.get(relative, (None,))[0] != len(data) or Path(path).read_bytes() != data:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                temporary = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.{os.getpid()}.tmp")
                Path(temporary).write_bytes(data)
                os.replace(temporary, path)
            stat = os.stat(path)
            files[relative] = (wanted[relative][0], stat.st_size, stat.st_mtime_ns)
    return files


_discarded = itertools.count()


def discard(path, trash: Path | None) -> None:
    """Remove a file or folder, by moving it into the trash folder when there is one (empty_trash).

    On the build machine's disk, removing a file written a while ago takes 1 to 3 ms (its blocks
    are freed), moving it 20 µs; an edit at 10,000 articles leaves some 650 index chunks and a
    shard of 160 files behind.
    """
    if trash is not None:
        try:
            trash.mkdir(parents=True, exist_ok=True)
            os.rename(path, trash / f"{os.getpid()}-{next(_discarded)}")
            return
        except OSError:  # another file system: removed here
            pass
    if os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def empty_trash(trash: Path, background: bool) -> None:
    """Remove what discard moved into trash, and what earlier processes left of theirs.

    background: in a thread of this process (removing releases the GIL), which the build does not
    wait for; what is left when the process ends is removed by the next build.
    """
    batch = trash.with_name(f"{trash.name}-{os.getpid()}-{next(_discarded)}")
    with contextlib.suppress(OSError):
        trash.rename(batch)
    batches = sorted(trash.parent.glob(f"{trash.name}-*"))
    if not batches:
        return
    if background:
        threading.Thread(target=lambda: [shutil.rmtree(b, ignore_errors=True) for b in batches], daemon=True).start()
    else:
        for folder in batches:
            shutil.rmtree(folder, ignore_errors=True)


def _merge_code() -> bytes:
    """The code that makes merged entries and chunks: a merge kept by other code is not used."""
    here = Path(__file__).parent
    return code_digest("merge-2", here / "shards.py", here / "bundle.py")


def save_merged(path: Path, merged: Merged) -> None:
    """Keep a merge for the next build in a fresh process: all but the entries, which are read
    back from the index chunks written (load_merged). A tenth of the size (and of the time) of
    pickling the 75 MB of entries at 10,000 articles."""
    lengths = [len(entry) for entry, _ in merged.words.values()]
    sizes = [size for _, size in merged.words.values()]
    state = {"names": merged.names, "shape": merged.shape, "files": merged.files, "chunks": merged.chunks}
    save_dict(path, {"code": _merge_code(), **state, "words": list(merged.words), "lengths": lengths, "sizes": sizes})


def load_merged(path: Path, target: Path) -> Merged | None:
    """Return the merge kept at path for target, or None when there is none, other code made it, or
    any of its index chunks is not as that merge wrote it."""
    stored = load_dict(path)
    if stored.get("code") != _merge_code():
        return None
    files = stored["files"]
    try:
        read_entry_file(target)
        lengths = iter(stored["lengths"])
        entries = []
        for relative, count in stored["chunks"]:
            stat = os.stat(target / relative)
            if files.get(relative, ())[1:] != (stat.st_size, stat.st_mtime_ns):
                return None
            cbor = read_pf(target / relative)
            pos = len(_head(4, 1) + _head(4, count))
            for _ in range(count):
                length = next(lengths)
                entries.append(cbor[pos : pos + length])
                pos += length
            if pos != len(cbor):
                return None
        words = dict(zip(stored["words"], zip(entries, stored["sizes"], strict=True), strict=True))
    except (OSError, FormatError, StopIteration, ValueError, EOFError, zlib.error):
        return None
    return Merged(stored["names"], stored["shape"], words, files, stored["chunks"])


# --- Running Pagefind on a shard, and the shard cache ---


def pagefind_command(folder: Path, target: Path, config: dict) -> list[str]:
    """Return the command indexing the pages in folder into target (the CLI of the pagefind_bin wheel)."""
    from pagefind.service import get_executable

    executable = get_executable()
    if executable is None:
        raise FormatError("the pagefind binary was not found (pip package pagefind_bin)")
    command = [str(executable), "--site", str(folder), "--output-path", str(target), "--silent"]
    command += ["--force-language", config["language"]]
    for selector in config["exclude_selectors"]:
        command += ["--exclude-selectors", selector]
    return command


def shard_digest(pages: Iterable[tuple[str, str]], config: dict, pagefind_version: str) -> str:
    """Return the key of a shard's cached bundle: its pages, Pagefind's version and what shapes indexing."""
    shaping = {key: config[key] for key in ("language", "exclude_selectors")}
    digest = hashlib.sha256(f"shard {SHARD_FORMAT} pagefind {pagefind_version} {sorted(shaping.items())}".encode())
    for save_as, page in pages:
        digest.update(save_as.encode() + b"\0" + page_digest(page) + b"\0")
    return digest.hexdigest()[:24]


def stage_page(page, path: Path, store: Path | None) -> None:
    """Write one prepared page where Pagefind reads it, linked from the store when it is there.

    store: a folder of prepared pages named by their digest. An edit re-indexes a shard of 150
    pages of which one changed: the other 149 are linked from the store, not read back from the
    output and prepared again (a third of a second at 10,000 articles). A page prepared here is
    added to the store; a file that cannot be linked is simply written.
    """
    kept = None if store is None else store / _stored_name(page)
    if kept is not None:
        try:
            os.link(kept, path)
            return
        except OSError:
            pass
    path.write_text(page_text(page), encoding="utf-8")
    if kept is not None:
        try:
            store.mkdir(exist_ok=True)
            os.link(path, kept)
        except OSError:  # another shard stored the same text first, or no hard links here
            pass


def _stored_name(page) -> str:
    """A prepared page's file name in the store: its digest."""
    return page_digest(page).hex() + ".html"


def prune_store(store: Path, pages: Iterable) -> None:
    """Remove from the store the prepared pages that are none of `pages` (what this build indexed)."""
    wanted = {_stored_name(page) for page in pages}
    try:
        names = os.listdir(store)
    except OSError:
        return
    for name in names:
        if name not in wanted:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(store, name))


def index_shard(pages: list[tuple[str, str]], target: Path, config: dict, store: Path | None = None) -> Shard:
    """Run Pagefind over one shard's pages into target (replacing it); return the parsed shard.

    store: the folder of prepared pages by digest (stage_page), or None.
    """
    staging = target.with_name(target.name + ".pages")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(target, ignore_errors=True)
    try:
        for save_as, page in pages:
            path = staging / save_as
            path.parent.mkdir(parents=True, exist_ok=True)
            stage_page(page, path, store)
        done = subprocess.run(pagefind_command(staging, target, config), capture_output=True, text=True, check=False)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if done.returncode != 0:
        raise FormatError(f"Pagefind failed on a shard ({done.returncode}): {done.stderr.strip()[-500:]}")
    drop_hidden_meta(target)  # before the merge links the fragments into bundles
    shard = read_shard(target)
    if len(shard.pages) != len(pages):
        raise FormatError(f"Pagefind indexed {len(shard.pages)} of the {len(pages)} pages of a shard")
    save_shard(target, shard)
    return shard


def save_shard(folder: Path, shard: Shard) -> None:
    shard.changed = False
    temporary = folder / (PARSED + ".tmp")
    temporary.write_bytes(pickle.dumps(shard, protocol=pickle.HIGHEST_PROTOCOL))
    temporary.replace(folder / PARSED)
    _loaded[str(folder)] = (file_stamp(folder / PARSED), shard)


def load_shard(folder: Path) -> Shard | None:
    """Return the parsed shard cached in folder, or None when it is missing or unreadable."""
    try:
        shard = pickle.loads((folder / PARSED).read_bytes())
    except Exception:  # a damaged or outdated cache entry is made again  # noqa: BLE001
        return None
    if not isinstance(shard, Shard):
        return None
    try:
        check_version(shard.version, f"the shard cached in {folder}")
    except FormatError:  # indexed again by the Pagefind installed now
        return None
    return shard


# Shards already read by this process, by folder: (stamp of their parsed file, shard). A preview
# builds every save in one process: reading the 64 shards of 10,000 articles again takes 1.8 s.
_loaded: dict[str, tuple[tuple | None, Shard]] = {}


def shard_at(folder: Path) -> Shard | None:
    """Return the parsed shard in folder (load_shard), from memory while its file is unchanged."""
    stamp = file_stamp(folder / PARSED)
    kept = _loaded.get(str(folder))
    if stamp is not None and kept is not None and kept[0] == stamp:
        return kept[1]
    shard = load_shard(folder)
    if shard is not None:
        _loaded[str(folder)] = (stamp, shard)
    return shard


def forget_shards(keep: set[str]) -> None:
    """Let go of the shards read from folders other than these (paths)."""
    for folder in list(_loaded):
        if folder not in keep:
            del _loaded[folder]


def ensure_shards(
    groups: list[list[tuple[str, str]]],
    folders: list[Path],
    config: dict,
    store: Path | None = None,
    load: bool = True,
) -> list[Shard]:
    """Return the shards of the groups of pages cached in folders (see shard_digest), indexing missing ones.

    Pagefind runs two shards at a time. store: the prepared pages by digest (stage_page), or None.
    load=False (the indexing process, whose shards the build process reads): shards already
    cached are only looked for, and given as None.
    """
    if load:
        shards = [usable_shard(folder) for folder in folders]
        missing = [i for i, shard in enumerate(shards) if shard is None]
    else:
        shards = [None] * len(folders)
        missing = [i for i, folder in enumerate(folders) if not (folder / PARSED).is_file()]
    started = time.perf_counter()
    if folders:
        folders[0].parent.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=2) as pool:  # Pagefind runs in its own process
        for i, shard in zip(
            missing, pool.map(lambda i: index_shard(groups[i], folders[i], config, store), missing), strict=True
        ):
            shards[i] = shard
    logger.debug(
        "search: %d of %d shards indexed again in %.2f s", len(missing), len(shards), time.perf_counter() - started
    )
    return shards


def usable_shard(folder: Path) -> Shard | None:
    """Return the shard cached in folder if it is readable and its fragments are all there."""
    shard = shard_at(folder)
    return shard if shard is not None and fragments_intact(folder, shard) else None


def fragments_intact(folder: Path, shard: Shard) -> bool:
    """Return whether every fragment file of a cached shard is still there (the merge copies them).

    One listing per shard rather than a stat per page: 64 system calls instead of 10,000.
    """
    try:
        found = set(os.listdir(os.path.join(folder, "fragment")))
    except OSError:
        return False
    return all(f"{h}.pf_fragment" in found for h, _ in shard.pages)
