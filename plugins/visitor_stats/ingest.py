"""Read access logs exactly once: fingerprints, resumable offsets and in-memory aggregation.

A log is identified by a fingerprint of its first line (decompressed for .gz), without the
IP address and user agent, so a renamed, compressed or copied log is recognised as the same
log, and a truncated one (new first line) as a new log. The offset reached in each log is
committed in the same transaction as the counts of the lines before it: a run killed at any
point and run again continues exactly where the last commit ended.
"""

import gc
import gzip
import hashlib
import logging
import multiprocessing
import os
import zlib
from dataclasses import dataclass, field
from queue import Full

from . import store
from .logparse import (
    CANDIDATE_RE,
    DAY,
    FEED_RE,
    ICT_SECONDS,
    LINE_RE,
    RECENT_SECONDS,
    SIMPLE_RE,
    TIME_RE,
    article_url,
    parse_time,
)

logger = logging.getLogger(__name__)

FIRST_LINE_MAX = 64 * 1024
# Processes counting chunks of a large plain log at the same time (this one commits); None:
# one per core that other programs leave idle (measured on a busy 2-core machine, a second
# worker only pays when a core is free: 3 processes on 1 free core are 10% slower than 2).
WORKERS = None
MAX_WORKERS = 4


def _workers() -> int:
    """Return how many worker processes to count chunks with."""
    if WORKERS:
        return WORKERS
    try:
        busy = os.getloadavg()[0]
    except OSError:  # not available on this platform
        busy = 0.0
    return max(1, min(MAX_WORKERS, round((os.cpu_count() or 1) - busy)))


NO_TIME = -(10**12)


@dataclass
class ChunkAgg:
    """Aggregates of one chunk of complete lines, ready for one transaction."""

    newest: int | None = None
    views: dict = field(default_factory=dict)  # (day, scope) -> views
    site_visitors: set = field(default_factory=set)  # (day, ip, ua)
    visitors: set = field(default_factory=set)  # ((day, ip, ua), scope) for articles and feeds
    recent: dict = field(default_factory=dict)  # (day, ip, ua) -> newest time
    lines: int = 0
    malformed: int = 0
    pages: int = 0
    feeds: int = 0
    bots: int = 0
    ignored: int = 0
    late: int = 0
    counted_newest: int | None = None
    min_day: int | None = None  # the earliest day of a counted request, for rebase()


def aggregate(data: bytes, bots, newest: int | None, final_line: bool = False) -> ChunkAgg:
    """Count the complete lines in `data`; `newest` is the newest counted request before them.

    A request counts as a page view when it is a GET answered 200 or 304 for "/", a path
    ending in "/" or ".html", by a user agent that no bot rule matches (feeds likewise for
    rss.xml/atom.xml). A day is over once a counted request is 15 minutes past its end; a
    request of a day already over ("late", only in logs read out of order) adds a view but
    no visitor, as that day's visitors can no longer be told apart.
    """
    enabled = gc.isenabled()
    gc.disable()  # millions of small tuples and no cycles: collection passes only cost time
    try:
        return _aggregate(data, bots, newest, final_line)
    finally:
        if enabled:
            gc.enable()


def _aggregate(data: bytes, bots, newest: int | None, final_line: bool = False) -> ChunkAgg:
    """Count with two fast passes in C (regular expressions) and Python only for candidates."""
    agg = ChunkAgg()
    if final_line:
        data += b"\n"
    agg.lines = data.count(b"\n")
    # 1. Every well-formed line: its time (for the newest line and the malformed count).
    raw_times = TIME_RE.findall(data)
    # Lines with escaped quotes that the simple expression rejects but the full one accepts.
    escaped = []
    at = data.find(b'\\"')
    while at >= 0:
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        line = data[start:end]
        if TIME_RE.match(line) is None:
            m = LINE_RE.match(line)
            if m:
                escaped.append((start, m.groups()))
                raw_times.append(m.group(2))
        at = data.find(b'\\"', end)
    parsed = {raw: parse_time(raw) for raw in set(raw_times)}
    bad = [raw for raw, t in parsed.items() if t is None]
    agg.malformed = agg.lines - len(raw_times) + sum(raw_times.count(raw) for raw in bad)
    good = [t for t in parsed.values() if t is not None]
    agg.newest = max(good) if good else None
    # 2. The candidate lines, in order: pages and feeds by people.
    if escaped:  # in b"\n" + data, a match starts at the "\n" before the line: its start in data
        lines = [(m.start(), m.groups()) for m in CANDIDATE_RE.finditer(b"\n" + data)] + escaped
        lines.sort(key=lambda item: item[0])
        lines = [fields for _, fields in lines]
    else:
        lines = CANDIDATE_RE.findall(b"\n" + data)
    counted = newest if newest is not None else NO_TIME  # newest counted request so far
    floor = (counted - RECENT_SECONDS + ICT_SECONDS) // DAY
    views = agg.views
    site_visitors = agg.site_visitors
    scoped_visitors = agg.visitors
    recent = agg.recent
    is_bot = bots.is_bot
    known_bot = getattr(bots, "_cache", {})  # user agent -> is_bot(), filled by is_bot()
    kinds = {}  # request -> _request_kind(request)
    pages = feeds = nbots = late = 0
    for ip, raw_time, request, status, ua in lines:
        t = parsed[raw_time]
        if t is None or status != b"200" and status != b"304":
            continue
        kind = kinds.get(request)
        if kind is None:
            kind = kinds[request] = _request_kind(request)
        if kind is IGNORED:
            continue
        bot = known_bot.get(ua)
        if bot is None:
            bot = is_bot(ua)
        if bot:
            nbots += 1
            continue
        if t > counted:
            counted = t
            floor = (t - RECENT_SECONDS + ICT_SECONDS) // DAY
        day = (t + ICT_SECONDS) // DAY
        is_page, scope = kind
        if is_page:
            pages += 1
            key = (day, "")
            views[key] = views.get(key, 0) + 1
            if scope:
                key = (day, scope)
                views[key] = views.get(key, 0) + 1
            if day < floor:
                late += 1
                continue
            who = (day, ip, ua)
            site_visitors.add(who)
            if scope:
                scoped_visitors.add((who, scope))
            if t > counted - RECENT_SECONDS and recent.get(who, 0) < t:
                recent[who] = t
        else:
            feeds += 1
            key = (day, scope)
            views[key] = views.get(key, 0) + 1
            if day < floor:
                late += 1
                continue
            scoped_visitors.add(((day, ip, ua), scope))
    if recent and counted != NO_TIME:  # keep only who can still be in the final window
        agg.recent = {who: t for who, t in recent.items() if t > counted - RECENT_SECONDS}
    agg.pages, agg.feeds, agg.bots, agg.late = pages, feeds, nbots, late
    agg.ignored = agg.lines - agg.malformed - pages - feeds - nbots
    agg.counted_newest = None if counted == NO_TIME else counted
    agg.min_day = min((d for d, _ in views), default=None)
    return agg


IGNORED = (False, None)


def _request_kind(request: bytes) -> tuple[bool, str | None]:
    """Return (True, article URL or None) for a page, (False, "feed:<path>") for a feed, else IGNORED.

    Only GET requests of HTML paths ("/", ".../", "....html") and of feeds count; the query
    string and fragment are dropped and ".../index.html" is the same page as ".../".
    """
    if request[:5] != b"GET /":
        return IGNORED
    end = request.find(b" ", 4)
    path = request[4:end] if end > 0 else request[4:]
    if b"?" in path:
        path = path[: path.find(b"?")]
    if b"#" in path:
        path = path[: path.find(b"#")]
    if path[-1:] == b"/" or path.endswith(b".html"):
        if path.endswith(b"/index.html"):
            path = path[:-10]
        return True, article_url(path) if path[:9] == b"/tin-tuc/" else None
    if (path.endswith(b"/rss.xml") or path.endswith(b"/atom.xml")) and FEED_RE.fullmatch(path):
        return False, "feed:" + path.decode("ascii")
    return IGNORED


def rebase(agg: ChunkAgg, newest: int | None) -> ChunkAgg | None:
    """Turn the aggregates of a chunk counted from scratch into those counted after `newest`.

    A request is late when its day is before the day of (newest counted request - 15
    minutes), the newest one counted before it. Counted from scratch, a chunk only knows its
    own requests; when none of its days (`min_day`, of every counted request, late or not)
    is before the day of `newest` - 15 minutes, the earlier requests change nothing but the
    newest counted time and the recent visitors still in the window. Otherwise return None:
    the caller counts the chunk again with `aggregate(data, bots, newest)`.
    """
    if newest is None:
        return agg
    if agg.min_day is not None and agg.min_day < (newest - RECENT_SECONDS + ICT_SECONDS) // DAY:
        return None
    if agg.counted_newest is None or agg.counted_newest < newest:
        agg.counted_newest = newest
        agg.recent = {who: t for who, t in agg.recent.items() if t > newest - RECENT_SECONDS}
    return agg


def open_log(path):
    """Open a log for binary reading, decompressing gzip whatever its name."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb"), True
    return open(path, "rb"), False


def _is_gzip(path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def identify(path):
    """Return (fingerprint, first time) of a log, or (None, None) if it has no complete line yet."""
    fh, compressed = open_log(path)
    with fh:
        try:
            head = fh.read(FIRST_LINE_MAX)
        except (OSError, EOFError, zlib.error):
            return None, None
    cut = head.find(b"\n")
    if cut >= 0:
        first = head[:cut]
    elif compressed and 0 < len(head) < FIRST_LINE_MAX:
        first = head  # a finished (compressed) log whose only line has no newline
    elif len(head) >= FIRST_LINE_MAX:
        first = head
    else:
        return None, None
    m = SIMPLE_RE.match(first) or LINE_RE.match(first)
    if m:
        # Leave the visitor out: time, request, status, bytes and referer identify the line.
        ip, raw_time, request, status, ua = m.groups()
        basis = b"\0".join([raw_time, request, status, first[m.end(1) : m.start(5)].split(b"]", 1)[-1]])
        first_time = parse_time(raw_time)
    else:
        basis, first_time = first, None
    return "v1:" + hashlib.sha256(b"visitor-stats\0" + basis).hexdigest(), first_time


@dataclass
class FileReport:
    """What one log contributed in this run."""

    path: str
    fingerprint: str | None
    skipped_bytes: int = 0
    lines: int = 0
    malformed: int = 0
    pages: int = 0
    late: int = 0
    note: str = ""


def _chunks(path, offset: int, chunk_bytes: int):
    """Yield (complete lines, is_final_unterminated_line, offset after them); then a note (str)."""
    fh, compressed = open_log(path)
    with fh:
        if compressed:
            remaining = offset
            while remaining > 0:
                got = len(fh.read(min(remaining, chunk_bytes)))
                if got == 0:
                    yield "already counted"
                    return
                remaining -= got
        else:
            fh.seek(0, 2)
            if fh.tell() < offset:
                yield "shorter than the part already counted; nothing new"
                return
            fh.seek(offset)
        carry = b""
        note = ""
        while True:
            try:
                block = fh.read(chunk_bytes)
            except (EOFError, OSError, zlib.error) as exc:
                note = f"compressed data ends early ({exc}); counted the complete part"
                block = b""
            data = carry + block
            if not block:
                if compressed and carry and not note:
                    yield data, True, offset + len(data)
                elif carry:
                    note = note or "last line incomplete; it will be counted next run"
                yield note
                return
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                carry = data
                continue
            carry = data[cut:]
            offset += cut
            yield data[:cut], False, offset


def _aggregates(path, offset, chunk_bytes, bots, counted):
    """Yield (ChunkAgg, offset) for each chunk, then the reading note (str)."""
    for item in _chunks(path, offset, chunk_bytes):
        if isinstance(item, str):
            yield item
            return
        data, final_line, end = item
        agg = aggregate(data, bots, counted, final_line)
        if agg.counted_newest is not None:
            counted = agg.counted_newest
        yield agg, end


def _put(queue, item, parent) -> bool:
    """Put an item on a bounded queue; return False if the parent died meanwhile."""
    while True:
        try:
            queue.put(item, timeout=1)
            return True
        except Full:
            if os.getppid() != parent:
                return False


def _produce(queue, path, offset, chunk_bytes, bots, counted, parent):
    """Worker process: aggregate chunks ahead of the commits; give up if the parent dies."""
    try:
        for item in _aggregates(path, offset, chunk_bytes, bots, counted):
            if not _put(queue, item, parent):
                return
    except BaseException as exc:  # reported by the parent, which raises
        queue.put(RuntimeError(f"visitor_stats: reading {path} failed: {exc!r}"))


def _last_newline_before(fh, start: int, stop: int) -> int:
    """Return the position after the last b"\n" in [start, stop) of a plain file, or start."""
    step = 64 * 1024
    end = stop
    while end > start:
        begin = max(start, end - step)
        fh.seek(begin)
        block = fh.read(end - begin)
        cut = block.rfind(b"\n")
        if cut >= 0:
            return begin + cut + 1
        end = begin
    return start


def _ranges(path, offset: int, chunk_bytes: int):
    """Return the chunks [(start, end)] of complete lines of a plain log and the reading note.

    The same chunks as `_chunks` reads: each ends after the last newline before
    offset + k * chunk_bytes (or the end of the file), and empty ones are skipped.
    """
    size = os.path.getsize(path)
    ranges = []
    with open(path, "rb") as fh:
        start = offset
        read_to = offset
        while read_to < size:
            read_to = min(read_to + chunk_bytes, size)
            end = _last_newline_before(fh, start, read_to)
            if end > start:
                ranges.append((start, end))
                start = end
    note = "last line incomplete; it will be counted next run" if start < size else ""
    return ranges, note


def _produce_ranges(queue, path, ranges, bots, parent):
    """Worker process: aggregate the given chunks of a plain log from scratch, in order."""
    try:
        with open(path, "rb") as fh:
            for start, end in ranges:
                if os.getppid() != parent:  # the parent was killed: nobody will commit this
                    return
                fh.seek(start)
                data = fh.read(end - start)
                if len(data) != end - start:
                    raise OSError("the log became shorter while it was read")
                if not _put(queue, (aggregate(data, bots, None), start, end), parent):
                    return
    except BaseException as exc:  # reported by the parent, which raises
        queue.put(RuntimeError(f"visitor_stats: reading {path} failed: {exc!r}"))


def _parallel_aggregates(path, offset, chunk_bytes, bots, counted, workers):
    """Yield (ChunkAgg, offset) for each chunk in order, then the note, using worker processes.

    Chunk i is counted from scratch by worker i % workers; the results are rebased on the
    newest counted time of the chunks before (see `rebase`) and, in the rare case where that
    is not enough (a log read out of order), counted again here with that time.
    """
    ranges, note = _ranges(path, offset, chunk_bytes)
    workers = max(1, min(workers, len(ranges)))
    queues, procs = [], []
    try:
        for w in range(workers):
            queue = _mp.Queue(maxsize=2)
            proc = _mp.Process(
                target=_produce_ranges, args=(queue, path, ranges[w::workers], bots, os.getpid()), daemon=True
            )
            proc.start()
            queues.append(queue)
            procs.append(proc)
        for i in range(len(ranges)):
            item = queues[i % workers].get()
            if isinstance(item, BaseException):
                raise item
            agg, start, end = item
            rebased = rebase(agg, counted)
            if rebased is None:
                with open(path, "rb") as fh:
                    fh.seek(start)
                    rebased = aggregate(fh.read(end - start), bots, counted)
            if rebased.counted_newest is not None:
                counted = rebased.counted_newest
            yield rebased, end
        yield note
    finally:
        for proc in procs:  # all done unless the caller stopped early (an error)
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
                proc.join()


def ingest_file(conn, path, bots, chunk_bytes: int, fingerprint: str) -> FileReport:
    """Count the lines of one log that are not counted yet, one transaction per chunk.

    Large logs are read and aggregated in a second process while this one commits, so
    parsing and SQLite work overlap; the commits stay in order, one per chunk.
    """
    report = FileReport(str(path), fingerprint)
    seen = {}  # site visitors committed in this run (see store.commit_chunk)
    offset = store.log_offset(conn, fingerprint)
    report.skipped_bytes = offset
    counted = store.meta(conn, "counted")
    size = os.path.getsize(path)
    worker = None
    if size <= chunk_bytes or _mp is None:
        items = _aggregates(path, offset, chunk_bytes, bots, counted)
    elif size - offset > chunk_bytes and not _is_gzip(path):
        # A plain log with more than one chunk to read: count chunks in parallel, commit in order.
        items = _parallel_aggregates(path, offset, chunk_bytes, bots, counted, _workers())
    else:
        queue = _mp.Queue(maxsize=2)
        worker = _mp.Process(
            target=_produce, args=(queue, path, offset, chunk_bytes, bots, counted, os.getpid()), daemon=True
        )
        worker.start()
        items = _from_queue(queue)
    try:
        for item in items:
            if isinstance(item, str):
                report.note = item
                break
            agg, end = item
            store.commit_chunk(conn, agg, fingerprint, end, seen)
            report.lines += agg.lines
            report.malformed += agg.malformed
            report.pages += agg.pages
            report.late += agg.late
    finally:
        if hasattr(items, "close"):
            items.close()  # stop the workers of an unfinished parallel read
        if worker is not None:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.terminate()
    return report


def _from_queue(queue):
    while True:
        item = queue.get()
        if isinstance(item, BaseException):
            raise item
        yield item
        if isinstance(item, str):
            return


try:
    _mp = multiprocessing.get_context("fork")
except ValueError:  # no fork on this platform: aggregate in-process
    _mp = None
