"""Re-cut Pagefind's word index into chunks of a bounded size, so that one query downloads little.

Pagefind 1.5 sorts the words and closes a chunk once the running count of (locations + 1) per page
reaches 20,000, but it counts only the pages where a word occurs *without* diacritics. Nearly every
Vietnamese syllable carries a diacritic, so almost nothing is counted: on 10,000 articles single
chunks reach 500–700 KiB, and a rare word such as "hue" (Huế) shares one with dozens of very common
syllables (hội, hình, kết, huyện…). Every query then downloads those chunks whole.

This module rewrites the bundle's index after Pagefind has written it: the same words with the same
pages, cut into chunks of about CHUNK_BYTES compressed bytes (a word larger than that gets a chunk
of its own), and the metadata file's list of chunks updated to match. One thing changes with any
cut: Pagefind also matches longer words that start with a query word ("ha" → "hai", "hành") but
only among the words already loaded, so fewer such extensions come along with a small chunk than
with a 600 KiB one (for Vietnamese, where they are different syllables, that is mostly noise gone).

A word found on a large share of the pages (COMMON_WORD_SHARE) whose postings still exceed a chunk
is the one thing a chunk cannot bound: "công" lists 13 positions on each of 10,000 pages (169 KiB).
For such a word each page keeps only its COMMON_WORD_LOCATIONS heaviest positions (a heading or
title beats body text), earliest first among equals: every page that holds the word is still
listed, under every spelling, and the words' positions in metadata fields (title, locality) are
kept whole. What readers see change, for those words only: ranking counts at most that many
occurrences per page, the excerpt is centred and highlighted on the kept positions, and a quoted
phrase made of them matches in the body only where the kept positions are adjacent (titles and
other metadata fields still match in full). See cap_locations.

The formats are Pagefind's own (gzip of a signature and CBOR; see pagefind/src/index and
pagefind_web/src in Pagefind's source); a bundle written by another version of Pagefind is left
exactly as it is.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

logger = logging.getLogger(__name__)

SUPPORTED_VERSIONS = {"1.5.2"}
CHUNK_BYTES = 16 * 1024
# A word on at least this share of the pages is "common"; see cap_common_words for the reasons.
COMMON_WORD_SHARE = 0.2
# Positions kept per page (and spelling) of a common word.
COMMON_WORD_LOCATIONS = 1
# Pagefind's weight of a position when no marker precedes it (its decoder's default).
DEFAULT_WEIGHT = 25
SIGNATURE = b"pagefind_dcd"


class FormatError(ValueError):
    """The bundle is not in the shape this module knows."""


def check_version(version, what: str) -> None:
    """Refuse what another Pagefind version wrote: every reader of its files calls this first."""
    if version not in SUPPORTED_VERSIONS:
        raise FormatError(
            f"{what} was written by Pagefind {version}; search/bundle.py and shards.py read only "
            f"Pagefind {', '.join(sorted(SUPPORTED_VERSIONS))} (pin pagefind to it, or port them)"
        )


def read_entry_file(bundle: Path) -> dict:
    """Return a bundle's pagefind-entry.json, checked to be of a version this module reads."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    check_version(entry.get("version") if isinstance(entry, dict) else None, f"{bundle}/pagefind-entry.json")
    return entry


# --- CBOR: the subset Pagefind writes (unsigned and negative integers, text, definite arrays) ---


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | extra]) + value.to_bytes(size, "big")
    raise FormatError(f"integer too large for CBOR: {value}")


def cbor_dumps(value) -> bytes:
    """Encode integers, strings and lists (nested) as CBOR with minimal heads, as minicbor does.

    Small integers are looked up (_INTEGERS): a 10,000-page metadata file and its filters hold
    some 100,000 of them.
    """
    out: list[bytes] = []

    def put(item) -> None:
        kind = type(item)
        if kind is int:
            out.append(_INTEGERS.get(item) or (_head(0, item) if item >= 0 else _head(1, -1 - item)))
        elif kind is str:
            data = item.encode()
            out.append(_head(3, len(data)) + data)
        elif kind is list or kind is tuple:
            out.append(_head(4, len(item)))
            for element in item:
                put(element)
        else:
            raise FormatError(f"cannot encode {kind.__name__}")

    put(value)
    return b"".join(out)


def _read_head(data: bytes, pos: int) -> tuple[int, int, int]:
    """Return (major type, argument, position after the head)."""
    try:
        first = data[pos]
    except IndexError:
        raise FormatError("truncated CBOR") from None
    major, info = first >> 5, first & 31
    if info < 24:
        return major, info, pos + 1
    if info > 27:
        raise FormatError(f"unsupported CBOR head {first:#x} at {pos}")
    size = 1 << (info - 24)
    if pos + 1 + size > len(data):
        raise FormatError("truncated CBOR")
    return major, int.from_bytes(data[pos + 1 : pos + 1 + size], "big"), pos + 1 + size


def _skip(data: bytes, pos: int) -> int:
    """Return the position just after the item at pos (integers, text and arrays only).

    Written out flat: a 10,000-page index holds some 15 million items.
    """
    pending = 1
    try:
        while pending:
            first = data[pos]
            pos += 1
            pending -= 1
            info = first & 31
            if info < 24:
                argument = info
            elif info < 28:
                size = 1 << (info - 24)
                argument = int.from_bytes(data[pos : pos + size], "big")
                pos += size
            else:
                raise FormatError(f"unsupported CBOR head {first:#x}")
            major = first >> 5
            if major == 4:
                pending += argument
            elif major == 3:
                pos += argument
            elif major > 1:
                raise FormatError(f"unsupported CBOR major type {major}")
    except IndexError:
        raise FormatError("truncated CBOR") from None
    if pos > len(data):
        raise FormatError("truncated CBOR")
    return pos


def cbor_loads(data: bytes):
    """Decode CBOR made of integers, text and definite arrays."""

    def item(pos: int):
        major, argument, pos = _read_head(data, pos)
        if major == 0:
            return argument, pos
        if major == 1:
            return -1 - argument, pos
        if major == 3:
            return data[pos : pos + argument].decode(), pos + argument
        if major == 4:
            values = []
            for _ in range(argument):
                value, pos = item(pos)
                values.append(value)
            return values, pos
        raise FormatError(f"unsupported CBOR major type {major}")

    value, end = item(0)
    if end != len(data):
        raise FormatError("trailing bytes after CBOR")
    return value


# --- Pagefind files ---


def read_pf(path: Path) -> bytes:
    """Return the CBOR inside a Pagefind .pf_* file."""
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise FormatError(f"{path.name} lacks Pagefind's signature")
    return data[len(SIGNATURE) :]


def pf_bytes(cbor: bytes) -> bytes:
    """Return the file content for CBOR: gzip of the signature and the CBOR.

    zlib's default level, not Pagefind's best: on the 10,000-article bench index it compresses
    the 17.5 MB of chunks in 0.9 s instead of 8.6 s, for 6.9 % more bytes (a query fetches a few
    chunks of about 12 KB).
    """
    return gzip.compress(SIGNATURE + cbor, compresslevel=6, mtime=0)


# Metadata fields that are searched but never shown (records.py's word pairs): Pagefind also copies
# every metadata field into the page's fragment, which a first query downloads for each result shown.
HIDDEN_META = ("pairs",)


def drop_hidden_meta(bundle: Path, fields=HIDDEN_META) -> None:
    """Rewrite each fragment of a bundle without the metadata fields search.js never shows.

    The words stay in the index; only the copy shown with a result goes. The pairs are as long as
    the page's text, so this halves what the ten fragments of a first query weigh. The file keeps
    its name (Pagefind's hash of what it wrote): a name is only the page's id to search.js.
    """
    read_entry_file(bundle)
    for path in sorted((bundle / "fragment").glob("*.pf_fragment")):
        try:
            fragment = json.loads(read_pf(path))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise FormatError(f"{path.name} is not a fragment: {error}") from error
        meta = fragment.get("meta") if isinstance(fragment, dict) else None
        if not isinstance(meta, dict):
            raise FormatError(f"{path.name} has no metadata")
        if any(field in meta for field in fields):
            fragment["meta"] = {k: v for k, v in meta.items() if k not in fields}
            path.write_bytes(pf_bytes(json.dumps(fragment, ensure_ascii=False, separators=(",", ":")).encode()))


def split_words(cbor: bytes) -> list[tuple[str, bytes]]:
    """Return (word, encoded entry) for each word of an index chunk, without decoding postings.

    A chunk is [[word entry, ...]]; a word entry is [word, pages, additional variants].
    """
    major, count, pos = _read_head(cbor, 0)
    if major != 4 or count != 1:
        raise FormatError("an index chunk must be a one-element array")
    major, count, pos = _read_head(cbor, pos)
    if major != 4:
        raise FormatError("an index chunk must hold an array of words")
    words = []
    for _ in range(count):
        start = pos
        major, length, pos = _read_head(cbor, pos)
        if major != 4 or length != 3:
            raise FormatError("a word entry must be [word, pages, variants]")
        major, size, pos = _read_head(cbor, pos)
        if major != 3:
            raise FormatError("a word entry must start with its text")
        word = cbor[pos : pos + size].decode()
        pos = _skip(cbor, _skip(cbor, pos + size))
        words.append((word, cbor[start:pos]))
    if pos != len(cbor):
        raise FormatError("trailing bytes after the words of a chunk")
    return words


def compressed_size(entry: bytes) -> int:
    """What an entry weighs in a chunk, as pack counts it."""
    return len(zlib.compress(entry, 1))


def pack(words: list[tuple[str, bytes]], budget: int, sizes: list[int] | None = None) -> list[list[tuple[str, bytes]]]:
    """Cut sorted words into runs whose entries compress to about `budget` bytes at most.

    A word that alone exceeds the budget gets a run of its own, so a rare word never rides along
    with a very common neighbour. sizes: each entry's compressed_size, when known.
    """
    runs: list[list[tuple[str, bytes]]] = []
    run: list[tuple[str, bytes]] = []
    size = 0
    if sizes is None:
        sizes = [compressed_size(entry) for _, entry in words]
    for (word, entry), cost in zip(words, sizes, strict=True):
        if run and size + cost > budget:
            runs.append(run)
            run, size = [], 0
        run.append((word, entry))
        size += cost
    if run:
        runs.append(run)
    return runs


def chunk_bounds(runs: list[list[tuple[str, bytes]]]) -> list[tuple[str, str]]:
    """Return (from, to) of each run, as Pagefind's request_indexes reads them.

    A query word is looked up in the chunk whose from <= word <= to. `to` is the run's last word in
    full (Pagefind shortens it to a prefix, which can exclude that very word: a run ending in "tuan"
    followed by one starting with "tuc" would get to="tua" < "tuan"); `from` is the shortest prefix
    of the first word that sorts after the previous run's last word, so that a prefix typed by the
    user still falls in the run holding its first extension.
    """
    bounds = []
    previous = None
    for run in runs:
        first, last = run[0][0], run[-1][0]
        if previous is None:
            start = first
        else:
            common = 0
            for a, b in zip(previous, first, strict=False):
                if a != b:
                    break
                common += 1
            start = first[: common + 1]
        bounds.append((start, last))
        previous = last
    return bounds


# --- Common words: fewer positions per page ---


def decode_locations(locs: list[int]) -> list[tuple[int, int]]:
    """Return the (weight, position) pairs of one page's location list, as pagefind_web reads them.

    A negative number -(w + 1) sets the weight w of the positions after it and makes the next one
    absolute; any other number is the distance from the previous position. Weight 25 holds until
    the first marker (body text is weight 24, so most lists open with -25); headings weigh more
    (h1 168, h2 144…), text marked data-pagefind-weight="0.5" 12.
    """
    pairs = []
    weight, position = DEFAULT_WEIGHT, 0
    for value in locs:
        if value < 0:
            weight, position = min(-value - 1, 255), 0
        else:
            position += value
            pairs.append((weight, position))
    return pairs


def encode_locations(pairs) -> list[int]:
    """Return the location list of (weight, position) pairs exactly as Pagefind 1.5.2 writes it.

    Sorted by weight, the default weight first, then by position (positions_to_packed_page in
    pagefind/src/index/mod.rs).
    """
    locs: list[int] = []
    weight, last = DEFAULT_WEIGHT, 0
    for w, position in sorted(pairs, key=lambda p: (0 if p[0] == DEFAULT_WEIGHT else p[0], p[1])):
        if w != weight:
            locs += [-w - 1, position]
            weight = w
        else:
            locs.append(position - last)
        last = position
    return locs


def cap_locations(locs: list[int], limit: int) -> list[int]:
    """Return one page's location list keeping its `limit` heaviest positions, earliest first.

    A list with no more positions than that is returned as it is.
    """
    if sum(value >= 0 for value in locs) <= limit:
        return locs
    kept = sorted(decode_locations(locs), key=lambda pair: (-pair[0], pair[1]))[:limit]
    return encode_locations(kept)


def _scan_pages(data: bytes, pos: int) -> tuple[list[tuple[int, int, int, list[int], int]], int]:
    """Read the page list at pos of a word entry; return its pages and the position after it.

    A page is [page number minus the previous page's, locations, metadata-field locations]; each is
    returned as (that difference, start and end of the locations in data, the locations, how many
    of them are positions). Written out flat: the common words of 10,000 pages hold 13 million.
    """
    major, count, pos = _read_head(data, pos)
    if major != 4:
        raise FormatError("a word's pages must be an array")
    pages = []
    for _ in range(count):
        if data[pos] != 0x83:  # an array of 3
            raise FormatError("a page must be [page delta, locations, meta locations]")
        major, delta, pos = _read_head(data, pos + 1)
        start = pos
        kind, number, pos = _read_head(data, pos)
        if major != 0 or kind != 4:
            raise FormatError("a page must be [page delta, locations, meta locations]")
        locs: list[int] = []
        positions = 0
        for _ in range(number):
            first = data[pos]
            if first < 24:  # most distances: an unsigned integer in the head
                locs.append(first)
                positions += 1
                pos += 1
            elif first == 0x18:  # a larger one in one byte
                locs.append(data[pos + 1])
                positions += 1
                pos += 2
            elif first == 0x38:  # a weight marker -1 … -256
                locs.append(-1 - data[pos + 1])
                pos += 2
            else:
                major, value, pos = _read_head(data, pos)
                if major == 0:
                    locs.append(value)
                    positions += 1
                elif major == 1:
                    locs.append(-1 - value)
                else:
                    raise FormatError("a location must be an integer")
        end = pos
        pos = pos + 1 if data[pos] == 0x80 else _skip(data, pos)  # mostly no metadata-field positions
        pages.append((delta, start, end, locs, positions))
    return pages, pos


_INTEGERS = {v: _head(0, v) if v >= 0 else _head(1, -1 - v) for v in range(-256, 4096)}


def _int_array(values: list[int]) -> bytes:
    """Return CBOR for a short array of integers (as cbor_dumps, faster)."""
    return _head(4, len(values)) + b"".join(_INTEGERS.get(v) or cbor_dumps(v) for v in values)


def walk_entry(entry: bytes, read_list) -> tuple[str, list[tuple[str, object]]]:
    """Split a word entry [word, pages, [[spelling, pages], ...]] into its page lists.

    read_list(entry, pos) reads the page list at pos and returns (what it read, the position after
    it). Returns the word and (spelling, what was read) for each list, "" for the word itself.
    """
    major, length, pos = _read_head(entry, 0)
    kind, size, pos = _read_head(entry, pos)
    if major != 4 or length != 3 or kind != 3:
        raise FormatError("a word entry must be [word, pages, variants]")
    word = entry[pos : pos + size].decode()
    value, pos = read_list(entry, pos + size)
    lists = [("", value)]
    major, variants, pos = _read_head(entry, pos)
    if major != 4:
        raise FormatError("a word's variants must be an array")
    for _ in range(variants):
        major, length, pos = _read_head(entry, pos)
        kind, size, pos = _read_head(entry, pos)
        if major != 4 or length != 2 or kind != 3:
            raise FormatError("a variant must be [form, pages]")
        form = entry[pos : pos + size].decode()
        value, pos = read_list(entry, pos + size)
        lists.append((form, value))
    if pos != len(entry):
        raise FormatError("trailing bytes after a word entry")
    return word, lists


def cap_word(entry: bytes, least: float, limit: int) -> bytes | None:
    """Return a word entry with each page keeping `limit` positions, or None if on fewer than `least` pages.

    An entry is [word, pages, [[spelling, pages], ...]]: the pages of the unaccented form, then
    those of each spelling with diacritics. A page is counted once whatever its spellings, and each
    page list is capped apart, so that a search for an exact spelling still finds every page.
    Everything but the capped location lists is copied byte for byte.
    """
    try:
        _, lists = walk_entry(entry, _scan_pages)
    except IndexError:
        raise FormatError("truncated CBOR") from None
    found = set()
    for _, pages in lists:
        number = 0
        for delta, _, _, _, _ in pages:
            number += delta
            found.add(number)
    if len(found) < least:
        return None
    return capped_bytes(entry, [pages for _, pages in lists], limit)


def capped_bytes(data: bytes, lists, limit: int) -> bytes:
    """Return data with the location lists of the scanned pages (_scan_pages) capped to `limit` positions.

    Everything else is copied byte for byte.
    """
    out = bytearray()
    copied = 0
    for pages in lists:
        for _, start, end, locs, positions in pages:
            if positions > limit:
                out += data[copied:start]
                out += _int_array(cap_locations(locs, limit))
                copied = end
    out += data[copied:]
    return bytes(out)


def cap_common_words(
    words: list[tuple[str, bytes]], page_count: int, share: float | None, limit: int, budget: int
) -> tuple[list[tuple[str, bytes]], int]:
    """Return the words with each common word's positions capped, and how many words were capped.

    A word is common when it is on at least `share` of the `page_count` pages (share None: never)
    and its entry is larger than `budget` compressed, i.e. when it gets a chunk of its own anyway:
    capping a smaller word would change its ranking without making any download smaller. Each
    page list of a common word keeps its `limit` heaviest positions (cap_word, cap_locations).
    """
    if share is None:
        return words, 0
    least = share * page_count
    # Each page of an entry takes 4 bytes at least: a cheap bound before reading it.
    candidates = [i for i, (_, entry) in enumerate(words) if len(entry) >= 4 * least]
    candidates = [i for i in candidates if len(zlib.compress(words[i][1], 1)) > budget]
    result = list(words)
    capped = 0
    for i in candidates:
        smaller = cap_word(words[i][1], least, limit)
        if smaller is not None:
            result[i] = (words[i][0], smaller)
            capped += 1
    return result, capped


def _reused(folder: Path | None, chunk: list, cbor: bytes) -> bytes | None:
    """Return the compressed chunk from an earlier bundle if it holds exactly this CBOR."""
    if folder is None:
        return None
    try:
        read_entry_file(folder)
        data = (folder / "index" / f"{chunk[2]}.pf_index").read_bytes()
        return data if gzip.decompress(data) == SIGNATURE + cbor else None
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile, ValueError):  # FormatError: another version
        return None


def _name(language: str, cbor: bytes, length: int, taken: set[str], sha256: bytes | None = None) -> str:
    """Pagefind's name for a file of this CBOR (sha256: its SHA-256, when already computed)."""
    digest = (sha256 or hashlib.sha256(cbor).digest()).hex()
    while f"{language}_{digest[:length]}" in taken and length < len(digest):
        length += 1
    name = f"{language}_{digest[:length]}"
    taken.add(name)
    return name


def _plan(bundle: Path, entry: dict) -> list:
    """Read every language's metadata and words; raise FormatError on anything unexpected."""
    plans = []
    check_version(entry.get("version"), f"{bundle}")
    for language, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = cbor_loads(read_pf(meta_path))
        if not (isinstance(meta, list) and len(meta) >= 5 and meta[0] == entry["version"]):
            raise FormatError(f"{meta_path.name} is not a Pagefind {entry['version']} metadata file")
        old = [bundle / "index" / f"{chunk[2]}.pf_index" for chunk in meta[2]]
        words = [word for path in old for word in split_words(read_pf(path))]
        keys = [word for word, _ in words]
        if keys != sorted(set(keys)):
            raise FormatError(f"the words of the {language} index are not sorted and distinct")
        plans.append([language, info, meta_path, meta, old, words])
    return plans


def rechunk(
    bundle: Path,
    budget: int = CHUNK_BYTES,
    common_share: float | None = COMMON_WORD_SHARE,
    common_locations: int = COMMON_WORD_LOCATIONS,
    reuse_from: Path | None = None,
) -> bool:
    """Re-cut the word index of every language in a Pagefind bundle; return False if left as is.

    The positions of common words are capped first (cap_common_words). Everything is read and
    checked before the first file is touched: on FormatError the bundle is unchanged. Chunks found
    with the same content in the bundle at `reuse_from` (the one published last) are copied
    rather than compressed again: after an edit most chunks are unchanged.
    """
    entry_path = bundle / "pagefind-entry.json"
    try:
        try:
            entry = read_entry_file(bundle)
        except FormatError as error:
            logger.warning("search: %s; its index chunks are left as written", error)
            return False
        plans = _plan(bundle, entry)
        for plan in plans:
            language, meta = plan[0], plan[3]
            if not isinstance(meta[1], list):
                raise FormatError(f"the {language} metadata must list its pages")
            plan[5], capped = cap_common_words(plan[5], len(meta[1]), common_share, common_locations, budget)
            logger.debug("search: %s index: positions of %d common words capped", language, capped)
    except (OSError, KeyError, TypeError, IndexError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FormatError(f"unexpected Pagefind bundle: {error!r}") from error
    for language, info, meta_path, meta, old, words in plans:
        runs = pack(words, budget)
        taken: set[str] = set()
        chunks = []
        for path in old:
            path.unlink()
        encoded = [_head(4, 1) + _head(4, len(run)) + b"".join(entry for _, entry in run) for run in runs]
        for (start, end), cbor in zip(chunk_bounds(runs), encoded, strict=True):
            chunks.append([start, end, _name(language, cbor, 7, taken)])
        # zlib releases the GIL: compress on every core (level 9 is most of the time spent here),
        # except chunks a previous bundle already holds (same name and, checked, same content).
        with ThreadPoolExecutor() as pool:
            made = pool.map(
                lambda pair: _reused(reuse_from, *pair) or pf_bytes(pair[1]), zip(chunks, encoded, strict=True)
            )
            for (_, _, name), data in zip(chunks, made, strict=True):
                (bundle / "index" / f"{name}.pf_index").write_bytes(data)
        meta[2] = chunks
        cbor = cbor_dumps(meta)
        info["hash"] = _name(language, cbor, 10, set())
        meta_path.unlink()
        (bundle / f"pagefind.{info['hash']}.pf_meta").write_bytes(pf_bytes(cbor))
        logger.debug("search: %s index re-cut from %d to %d chunks", language, len(old), len(chunks))
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return True
