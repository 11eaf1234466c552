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
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter
from queue import Full

from . import store
from .logparse import (
    CAND_EXACT,
    CAND_FAST,
    DAY,
    FEED_RE,
    ICT_SECONDS,
    LINE_RE,
    RECENT_SECONDS,
    SHAPE_EXACT,
    SHAPE_FAST,
    SIMPLE_RE,
    article_url,
    parse_time,
    parse_times,
)
from .store import hash_visitor

logger = logging.getLogger(__name__)

FIRST_LINE_MAX = 64 * 1024
# Processes counting chunks of a large plain log at the same time (this one commits); None:
# one per CPU this process may use. Measured on a 2-core machine where other jobs kept the
# load average at 2-3: two workers were as fast as one or faster (the main process only
# merges hashes, so it barely competes with them), and 1.7 times as fast with both cores free.
WORKERS = None
MAX_WORKERS = 4


def _workers() -> int:
    """Return how many worker processes to count chunks with."""
    if WORKERS:
        return WORKERS
    try:
        cpus = len(os.sched_getaffinity(0))  # the CPUs this process may run on (containers, taskset)
    except AttributeError:  # not available on this platform
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cpus))


NO_TIME = -(10**12)


@dataclass
class ChunkAgg:
    """Aggregates of one chunk of complete lines, ready for one transaction."""

    newest: int | None = None
    views: dict = field(default_factory=dict)  # (day, scope) -> views
    site: dict = field(default_factory=dict)  # day -> {visitor} of the page views
    scoped: dict = field(default_factory=dict)  # day -> {(scope, visitor)}: articles and feeds
    recent: dict = field(default_factory=dict)  # visitor -> newest time
    lines: int = 0
    malformed: int = 0
    pages: int = 0
    feeds: int = 0
    bots: int = 0
    ignored: int = 0
    late: int = 0
    counted_newest: int | None = None
    min_day: int | None = None  # the earliest day of a counted request, for rebase()


def aggregate(data: bytes, bots, newest: int | None, salts, final_line: bool = False) -> ChunkAgg:
    """Count the complete lines in `data`; `newest` is the newest counted request before them.

    A request counts as a page view when it is a GET answered 200 or 304 for "/", a path
    ending in "/" or ".html", by a user agent that no bot rule matches (feeds likewise for
    rss.xml/atom.xml). A day is over once a counted request is 15 minutes past its end; a
    request of a day already over ("late", only in logs read out of order) adds a view but
    no visitor, as that day's visitors can no longer be told apart. A visitor is a hash made
    with `salts` (a store.DaySalts).
    """
    return aggregate_lines(b"\n" + data + (b"\n" if final_line else b""), bots, newest, salts)


def aggregate_lines(buf: bytes, bots, newest: int | None, salts) -> ChunkAgg:
    """The same as `aggregate` for b"\n" + complete lines (read so, it needs no copy)."""
    enabled = gc.isenabled()
    gc.disable()  # millions of small tuples and no cycles: collection passes only cost time
    try:
        return _aggregate(buf, bots, newest, salts)
    finally:
        if enabled:
            gc.enable()


def _aggregate(buf: bytes, bots, newest: int | None, salts) -> ChunkAgg:
    """Count with two passes in C (regular expressions) and Python only for the candidates."""
    agg = ChunkAgg()
    agg.lines = buf.count(b"\n") - 1
    times, candidates_re = _shapes(buf, agg.lines)
    escaped = _escaped_lines(buf)
    parsed = _tally_times(agg, times, [fields[1] for _, fields in escaped])
    candidates = _candidates(candidates_re, buf, escaped)
    counted = _count_candidates(agg, candidates, parsed, bots, newest, salts)
    agg.counted_newest = None if counted == NO_TIME else counted
    if agg.counted_newest is not None:
        salts.forget_hashes((counted - RECENT_SECONDS + ICT_SECONDS) // DAY)  # over: never hashed again
    agg.ignored = agg.lines - agg.malformed - agg.pages - agg.feeds - agg.bots
    agg.min_day = min((d for d, _ in agg.views), default=None)
    return agg


def _shapes(buf: bytes, lines: int) -> tuple[list, re.Pattern]:
    """Return the raw time (or b"") of every line of b"\n" + data, and the candidate expression.

    The fast expressions are exact unless a field ran over a line end: then there are fewer
    matches than lines + 1 and both passes use the exact ones (see logparse.SHAPE_FAST).
    """
    times = SHAPE_FAST.findall(buf)
    if len(times) == lines + 1:
        return times, CAND_FAST
    return SHAPE_EXACT.findall(buf), CAND_EXACT


def _escaped_lines(buf: bytes) -> list:
    """Return [(position of the "\n" before the line, (ip, time, request, status, ua))] of the
    lines of b"\n" + data that are well-formed only when read with \\" quotes."""
    escaped = []
    # Look for a backslash first: find() of one byte is memchr, 20 times faster than of two.
    at = buf.find(b"\\")
    while at >= 0:
        end = buf.find(b"\n", at)
        at = buf.find(b'\\"', at, end)
        if at >= 0:
            start = buf.rfind(b"\n", 0, at)
            line = buf[start + 1 : end]
            if SIMPLE_RE.match(line) is None:
                m = LINE_RE.match(line)
                if m:
                    escaped.append((start, m.groups()))
        at = buf.find(b"\\", end)
    return escaped


def _tally_times(agg: ChunkAgg, times: list, escaped_times: list) -> dict:
    """Set agg.malformed and agg.newest; return {raw time: Unix time or None}."""
    distinct = set(times)
    distinct.update(escaped_times)
    distinct.discard(b"")
    parsed = parse_times(distinct)
    shaped = len(times) - times.count(b"") + len(escaped_times)  # b"": not a line of the shape
    bad = [raw for raw, t in parsed.items() if t is None]
    if len(bad) < 4:  # usual: none or a few, each counted by one pass in C
        invalid = sum(times.count(raw) + escaped_times.count(raw) for raw in bad)
    else:
        invalid = sum(map(set(bad).__contains__, times)) + sum(map(set(bad).__contains__, escaped_times))
    agg.malformed = agg.lines - shaped + invalid
    agg.newest = max((t for t in parsed.values() if t is not None), default=None)
    return parsed


def _candidates(candidates_re: re.Pattern, buf: bytes, escaped: list) -> list:
    """Return (ip, raw time, request, ua) of the lines that may count, in the order of the log."""
    if not escaped:
        return candidates_re.findall(buf)
    # A match starts at the "\n" before its line, as the positions of `escaped` do.
    found = [(m.start(), m.groups()) for m in candidates_re.finditer(buf)]
    found += [(start, (ip, t, request, ua)) for start, (ip, t, request, status, ua) in escaped if status in OK]
    found.sort(key=itemgetter(0))
    return [fields for _, fields in found]


OK = (b"200", b"304")
_REQUEST, _UA = itemgetter(2), itemgetter(3)


def _count_candidates(agg: ChunkAgg, candidates: list, parsed: dict, bots, newest: int | None, salts) -> int:
    """Count page views, feed fetches and visitors into agg; return the newest counted time."""
    counted = newest if newest is not None else NO_TIME  # newest counted request so far
    floor = (counted - RECENT_SECONDS + ICT_SECONDS) // DAY
    # Few distinct requests and user agents: classify each once, not once per line. A person's
    # user agent also maps to one bytes object (None for a bot), whose hash Python caches:
    # the (ip, ua) keys below then hash only the address.
    kinds = {request: _request_kind(request) for request in set(map(_REQUEST, candidates))}
    person = {ua: None if bots.is_bot(ua) else ua for ua in set(map(_UA, candidates))}
    by_day = {}  # day -> ([kind of each view], {visitor}, {(scope, visitor)})
    current = None  # the day of the previous counted line: consecutive lines share it
    # Recent visitors: only page views in the 15 minutes before the chunk's newest line (any
    # line) can be, as the commit deletes the older ones (store.close_days).
    recent_after = NO_TIME if agg.newest is None else agg.newest - RECENT_SECONDS
    recent = []  # (time, visitor)
    nbots = late = 0
    for ip, raw_time, request, ua in candidates:
        kind = kinds[request]
        if kind is IGNORED:
            continue
        t = parsed[raw_time]
        if t is None:
            continue
        ua = person[ua]
        if ua is None:
            nbots += 1
            continue
        if t > counted:
            counted = t
            floor = (t - RECENT_SECONDS + ICT_SECONDS) // DAY
        day = (t + ICT_SECONDS) // DAY
        if day != current:
            current = day
            views, site, scoped = by_day.get(day) or by_day.setdefault(day, ([], set(), set()))
            hashes, salt = salts.hashes(day), salts.salt(day)
        views.append(kind)  # counted by kind after the loop, in C
        if day < floor:
            late += 1
            continue
        is_page, scope = kind
        who = hashes.get((ip, ua))
        if who is None:
            who = hashes[(ip, ua)] = hash_visitor(salt, ip, ua)
        if is_page:
            site.add(who)
            if t > recent_after:
                recent.append((t, who))
        if scope:
            scoped.add((scope, who))
    agg.bots, agg.late = nbots, late
    agg.recent = _newest_views(recent)
    for day, (views, site, scoped) in by_day.items():
        _add_views(agg, day, Counter(views))
        if site:
            agg.site[day] = site
        if scoped:
            agg.scoped[day] = scoped
    return counted


def _add_views(agg: ChunkAgg, day: int, kinds: Counter) -> None:
    """Add a day's views, counted by request kind (page or feed, and scope), to agg."""
    for (is_page, scope), n in kinds.items():
        if is_page:
            agg.pages += n
            agg.views[(day, "")] = agg.views.get((day, ""), 0) + n
        else:
            agg.feeds += n
        if scope:
            agg.views[(day, scope)] = agg.views.get((day, scope), 0) + n


def _newest_views(views: list) -> dict:
    """Return {visitor: newest time} of (time, visitor) page views."""
    newest = {}
    for t, who in views:
        if newest.get(who, t) <= t:
            newest[who] = t
    return newest


IGNORED = None  # the kind of a request that is neither a page nor a feed


def _request_kind(request: bytes) -> tuple[bool, str | None] | None:
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
    the caller counts the chunk again with `aggregate(data, bots, newest, salts)`.
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


def _aggregates(path, offset, chunk_bytes, bots, counted, salts):
    """Yield (ChunkAgg, offset) for each chunk, then the reading note (str)."""
    for item in _chunks(path, offset, chunk_bytes):
        if isinstance(item, str):
            yield item
            return
        data, final_line, end = item
        agg = aggregate(data, bots, counted, salts, final_line)
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


def _produce(queue, path, offset, chunk_bytes, bots, counted, salts, parent):
    """Worker process: aggregate chunks ahead of the commits; give up if the parent dies."""
    try:
        for item in _aggregates(path, offset, chunk_bytes, bots, counted, salts):
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


def _read_lines(fh, start: int, end: int) -> bytes:
    """Return b"\n" + bytes [start, end) of a plain log, reading the "\n" before `start` (as
    a chunk starts after one) rather than copying 16 MB to put one in front."""
    before = 1 if start > 0 else 0
    fh.seek(start - before)
    buf = fh.read(end - start + before)
    if len(buf) != end - start + before:
        raise OSError("the log became shorter while it was read")
    if before and buf[:1] == b"\n":
        return buf
    return b"\n" + buf[before:]


def _produce_ranges(queue, path, ranges, bots, salts, parent):
    """Worker process: aggregate the given chunks of a plain log from scratch, in order."""
    try:
        with open(path, "rb") as fh:
            for start, end in ranges:
                if os.getppid() != parent:  # the parent was killed: nobody will commit this
                    return
                agg = aggregate_lines(_read_lines(fh, start, end), bots, None, salts)
                if not _put(queue, (agg, start, end), parent):
                    return
    except BaseException as exc:  # reported by the parent, which raises
        queue.put(RuntimeError(f"visitor_stats: reading {path} failed: {exc!r}"))


def _parallel_aggregates(path, offset, chunk_bytes, bots, counted, salts, workers):
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
                target=_produce_ranges, args=(queue, path, ranges[w::workers], bots, salts, os.getpid()), daemon=True
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
                    rebased = aggregate_lines(_read_lines(fh, start, end), bots, counted, salts)
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
    days = store.OpenDays(conn)  # the open days' visitors (see store.commit_chunk)
    salts = store.DaySalts(conn)  # drawn before the workers start: they hash with the same salts
    offset = store.log_offset(conn, fingerprint)
    report.skipped_bytes = offset
    counted = store.meta(conn, "counted")
    size = os.path.getsize(path)
    worker = None
    if size <= chunk_bytes or _mp is None:
        items = _aggregates(path, offset, chunk_bytes, bots, counted, salts)
    elif size - offset > chunk_bytes and not _is_gzip(path):
        # A plain log with more than one chunk to read: count chunks in parallel, commit in order.
        items = _parallel_aggregates(path, offset, chunk_bytes, bots, counted, salts, _workers())
    else:
        queue = _mp.Queue(maxsize=2)
        worker = _mp.Process(
            target=_produce, args=(queue, path, offset, chunk_bytes, bots, counted, salts, os.getpid()), daemon=True
        )
        worker.start()
        items = _from_queue(queue)
    try:
        for item in items:
            if isinstance(item, str):
                report.note = item
                break
            agg, end = item
            store.commit_chunk(conn, agg, fingerprint, end, days, salts)
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
