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
import json
import logging
import os
import pickle
import re
import shutil
import subprocess
import time
import zlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from thidua.memofile import code_digest, load_dict, save_dict

from .bundle import (
    FormatError,
    _head,
    _name,
    _read_head,
    _reused,
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
class MergeMemo:
    """What the last merge made, for the next: an edit changes the words of one shard only.

    words: word → (key, entry, compressed size or None until pack needs it, whether it was capped),
    where the key names the shards holding the word (each by its folder, named by a digest of its
    pages), their page offsets, the capping settings and the merged metadata fields: the entry is
    a function of these alone. chunks: SHA-256 of a chunk's CBOR → its file.
    """

    words: dict = field(default_factory=dict)
    chunks: dict = field(default_factory=dict)


def merge_words(
    shards: list[Shard],
    offsets: list[int],
    total: int,
    share: float | None,
    limit: int,
    budget: int,
    names: list[str] | None = None,
    memo: MergeMemo | None = None,
    fields: tuple = (),
) -> tuple[list[tuple[str, bytes]], int]:
    """Return the merged (word, entry) pairs in word order, common words capped, and how many were.

    With the shards' names and a memo, an entry whose key is in the memo is taken from it, and the
    memo is left holding this merge's entries (and their compressed sizes) only. fields: the merged
    metadata fields, which a shard's page lists are renumbered to (_align_fields).
    """
    least = None if share is None else share * total
    names = names or [None] * len(shards)
    holders: dict[str, list[tuple[int, Shard, str | None]]] = {}
    for shard, offset, name in zip(shards, offsets, names, strict=True):
        for word in shard.words:
            holders.setdefault(word, []).append((offset, shard, name))
    known = memo.words if memo is not None and None not in names else {}
    made = {}
    result = []
    capped = 0
    common = (total, share, limit, budget, fields)
    for word in sorted(holders):
        holding = holders[word]
        key = (common, *((offset, name) for offset, _, name in holding))
        found = known.get(word)
        if found is not None and found[0] == key:
            made[word] = found
            result.append((word, found[1]))
            capped += found[3]
            continue
        entry = merged_entry(word, [(offset, shard.words[word]) for offset, shard, _ in holding])
        was_capped = False
        if (
            least is not None
            and sum(shard.found[word] for _, shard, _ in holding) >= least
            and len(entry) >= 4 * least
            and compresses_beyond(entry, budget)
        ):
            entry = merged_entry(word, [(offset, _capped(shard, word, limit)) for offset, shard, _ in holding])
            was_capped = True
            capped += 1
        made[word] = (key, entry, None, was_capped)
        result.append((word, entry))
    if memo is not None:
        memo.words = made
    return result, capped


MERGED_FILE = "merged.pickle"  # the MergeMemo, in the search cache


def _merge_code() -> bytes:
    """The code that makes merged entries and chunks: a memo made by other code is not used."""
    here = Path(__file__).parent
    return code_digest("merge-1", here / "shards.py", here / "bundle.py")


def load_merge_memo(path: Path | None) -> MergeMemo:
    """Return the memo the last merge left at path (empty when there is none, or other code made it)."""
    stored = load_dict(path)
    if stored.get("code") != _merge_code():
        return MergeMemo()
    return MergeMemo(stored.get("words", {}), stored.get("chunks", {}))


def save_merge_memo(path: Path | None, memo: MergeMemo) -> None:
    """Keep what this merge made for the next (atomically)."""
    save_dict(path, {"code": _merge_code(), "words": memo.words, "chunks": memo.chunks})


def _sizes(words: list[tuple[str, bytes]], memo: MergeMemo | None) -> list[int]:
    """Each entry's compressed size (bundle.pack), from the memo for entries it holds; noted there."""
    if memo is None:
        return [compressed_size(entry) for _, entry in words]
    sizes = []
    for word, entry in words:
        key, kept, size, was_capped = memo.words[word]
        if size is None:
            size = compressed_size(entry)
            memo.words[word] = (key, kept, size, was_capped)
        sizes.append(size)
    return sizes


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
    cached by name (sync_tree, and browsers for an hour), and a name used again for another page
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
    full = sorted((base64.b32encode(hashlib.sha256(k.encode()).digest()).decode().lower(), k) for k in keys)
    ids = {}
    for i, (code, key) in enumerate(full):
        shared = max((_common(code, full[j][0]) for j in (i - 1, i + 1) if 0 <= j < len(full)), default=0)
        ids[key] = code[: max(4, shared + 1)]
    return [ids[key] for key in keys]


def _common(a: str, b: str) -> int:
    """Return the length of the start a and b share."""
    return len(os.path.commonprefix([a, b]))


def link_or_copy(source: Path, target: Path) -> None:
    """Give target source's bytes: a hard link (shard files are never rewritten), else a copy.

    A bundle lists every page's fragment; linking them spares copying 10,000 files on every edit.
    """
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copyfile(source, target)


def merge(
    folders: list[Path],
    shards: list[Shard],
    target: Path,
    budget: int,
    share: float | None,
    limit: int,
    reuse_from: Path | None = None,
    memo: MergeMemo | None = None,
) -> int:
    """Write the bundle of all shards (read from `folders`) into target; return how many pages it lists.

    memo: what the last merge made (MergeMemo), updated to what this one made.
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
    words, _ = merge_words(shards, offsets, total, share, limit, budget, names, memo, tuple(fields))
    language = first.language

    target.mkdir(parents=True)
    for path in sorted(folders[0].iterdir()):
        if path.is_file() and path.name != PARSED and not path.name.endswith((".pf_meta", "-entry.json")):
            shutil.copyfile(path, target / path.name)
    for name in ("index", "filter", "fragment"):
        (target / name).mkdir()
    placed = [
        (folder, file_hash, words)
        for folder, shard in zip(folders, shards, strict=True)
        for file_hash, words in shard.pages
    ]
    ids = page_ids([file_hash for _, file_hash, _ in placed])
    for (folder, file_hash, _), page_id in zip(placed, ids, strict=True):
        link_or_copy(folder / "fragment" / f"{file_hash}.pf_fragment", target / "fragment" / f"{page_id}.pf_fragment")

    taken: set[str] = set()
    filters = []
    for item in merge_filters(shards, offsets):
        cbor = cbor_dumps(item)
        name = _name(language, cbor, 7, taken)
        (target / "filter" / f"{name}.pf_filter").write_bytes(pf_bytes(cbor))
        filters.append([item[0], name])

    runs = pack(words, budget, _sizes(words, memo))
    encoded = [_head(4, 1) + _head(4, len(run)) + b"".join(entry for _, entry in run) for run in runs]
    hashes = [hashlib.sha256(cbor).digest() for cbor in encoded]
    chunks = [
        [start, end, _name(language, cbor, 7, taken, sha)]
        for (start, end), cbor, sha in zip(chunk_bounds(runs), encoded, hashes, strict=True)
    ]
    known = memo.chunks if memo is not None else {}

    def chunk_file(chunk, cbor, sha):
        return known.get(sha) or _reused(reuse_from, chunk, cbor) or pf_bytes(cbor)

    with ThreadPoolExecutor() as pool:  # zlib releases the GIL
        made = list(pool.map(chunk_file, chunks, encoded, hashes))
    for (_, _, name), data in zip(chunks, made, strict=True):
        (target / "index" / f"{name}.pf_index").write_bytes(data)
    if memo is not None:
        memo.chunks = dict(zip(hashes, made, strict=True))

    pages = [[page_id, words] for (_, _, words), page_id in zip(placed, ids, strict=True)]
    cbor = cbor_dumps([first.version, pages, chunks, filters, [], fields])
    meta_hash = _name(language, cbor, 10, set())
    (target / f"pagefind.{meta_hash}.pf_meta").write_bytes(pf_bytes(cbor))
    entry = dict(first.entry)
    entry["languages"] = {language: {**first.entry["languages"][language], "hash": meta_hash, "page_count": total}}
    (target / "pagefind-entry.json").write_text(
        json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    return total


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


def ensure_shards(
    groups: list[list[tuple[str, str]]], folders: list[Path], config: dict, store: Path | None = None
) -> list[Shard]:
    """Return the shards of the groups of pages cached in folders (see shard_digest), indexing missing ones.

    Pagefind runs two shards at a time. store: the prepared pages by digest (stage_page), or None.
    """
    shards: list[Shard | None] = [load_shard(folder) for folder in folders]
    shards = [s if s is not None and fragments_intact(f, s) else None for f, s in zip(folders, shards, strict=True)]
    missing = [i for i, shard in enumerate(shards) if shard is None]
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


def fragments_intact(folder: Path, shard: Shard) -> bool:
    """Return whether every fragment file of a cached shard is still there (the merge copies them).

    One listing per shard rather than a stat per page: 64 system calls instead of 10,000.
    """
    try:
        found = set(os.listdir(os.path.join(folder, "fragment")))
    except OSError:
        return False
    return all(f"{h}.pf_fragment" in found for h, _ in shard.pages)
