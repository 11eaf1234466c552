"""Re-cut Pagefind's word index into chunks of a bounded size, so that one query downloads little.

Pagefind 1.5 sorts the words and closes a chunk once the running count of (locations + 1) per page
reaches 20,000, but it counts only the pages where a word occurs *without* diacritics. Nearly every
Vietnamese syllable carries a diacritic, so almost nothing is counted: on 10,000 articles single
chunks reach 500–700 KiB, and a rare word such as "hue" (Huế) shares one with dozens of very common
syllables (hội, hình, kết, huyện…). Every query then downloads those chunks whole.

This module rewrites the bundle's index after Pagefind has written it: the same words with the same
postings, cut into chunks of about CHUNK_BYTES compressed bytes (a word larger than that gets a chunk
of its own), and the metadata file's list of chunks updated to match. The pages a query word finds,
and their scores, do not change. One thing does, as it would with any other cut: Pagefind also
matches longer words that start with a query word ("ha" → "hai", "hành") but only among the words
already loaded, so fewer such extensions come along with a small chunk than with a 600 KiB one (for
Vietnamese, where they are different syllables, that is mostly noise gone).

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
SIGNATURE = b"pagefind_dcd"


class FormatError(ValueError):
    """The bundle is not in the shape this module knows."""


# --- CBOR: the subset Pagefind writes (unsigned and negative integers, text, definite arrays) ---


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | extra]) + value.to_bytes(size, "big")
    raise FormatError(f"integer too large for CBOR: {value}")


def cbor_dumps(value) -> bytes:
    """Encode integers, strings and lists (nested) as CBOR with minimal heads, as minicbor does."""
    out = bytearray()

    def put(item) -> None:
        if isinstance(item, bool) or not isinstance(item, (int, str, list, tuple)):
            raise FormatError(f"cannot encode {type(item).__name__}")
        if isinstance(item, int):
            out.extend(_head(0, item) if item >= 0 else _head(1, -1 - item))
        elif isinstance(item, str):
            data = item.encode()
            out.extend(_head(3, len(data)) + data)
        else:
            out.extend(_head(4, len(item)))
            for element in item:
                put(element)

    put(value)
    return bytes(out)


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
    """Return the file content for CBOR: gzip (best, as Pagefind) of the signature and the CBOR."""
    return gzip.compress(SIGNATURE + cbor, compresslevel=9, mtime=0)


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


def pack(words: list[tuple[str, bytes]], budget: int) -> list[list[tuple[str, bytes]]]:
    """Cut sorted words into runs whose entries compress to about `budget` bytes at most.

    A word that alone exceeds the budget gets a run of its own, so a rare word never rides along
    with a very common neighbour.
    """
    runs: list[list[tuple[str, bytes]]] = []
    run: list[tuple[str, bytes]] = []
    size = 0
    for word, entry in words:
        cost = len(zlib.compress(entry, 1))
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


def _name(language: str, cbor: bytes, length: int, taken: set[str]) -> str:
    digest = hashlib.sha256(cbor).hexdigest()
    while f"{language}_{digest[:length]}" in taken and length < len(digest):
        length += 1
    name = f"{language}_{digest[:length]}"
    taken.add(name)
    return name


def _plan(bundle: Path, entry: dict) -> list:
    """Read every language's metadata and words; raise FormatError on anything unexpected."""
    plans = []
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
        plans.append((language, info, meta_path, meta, old, words))
    return plans


def rechunk(bundle: Path, budget: int = CHUNK_BYTES) -> bool:
    """Re-cut the word index of every language in a Pagefind bundle; return False if left as is.

    Everything is read and checked before the first file is touched: on FormatError the bundle is
    unchanged.
    """
    entry_path = bundle / "pagefind-entry.json"
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        if entry.get("version") not in SUPPORTED_VERSIONS:
            logger.warning(
                "search: Pagefind %s is not one of %s; its index chunks are left as written",
                entry.get("version"),
                ", ".join(sorted(SUPPORTED_VERSIONS)),
            )
            return False
        plans = _plan(bundle, entry)
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
        # zlib releases the GIL: compress on every core (level 9 is most of the time spent here).
        with ThreadPoolExecutor() as pool:
            for (_, _, name), data in zip(chunks, pool.map(pf_bytes, encoded), strict=True):
                (bundle / "index" / f"{name}.pf_index").write_bytes(data)
        meta[2] = chunks
        cbor = cbor_dumps(meta)
        info["hash"] = _name(language, cbor, 10, set())
        meta_path.unlink()
        (bundle / f"pagefind.{info['hash']}.pf_meta").write_bytes(pf_bytes(cbor))
        logger.debug("search: %s index re-cut from %d to %d chunks", language, len(old), len(chunks))
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return True
