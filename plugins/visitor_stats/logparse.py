"""Pure functions that read combined-format access-log lines and classify what they record."""

import calendar
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ICT = timezone(timedelta(hours=7))  # Việt Nam: UTC+7 all year, no daylight saving
ICT_SECONDS = 7 * 3600
DAY = 86400
RECENT_SECONDS = 15 * 60  # "Đang truy cập (15 phút qua)" and the grace before a day is over

# $remote_addr - $remote_user [$time_local] "$request" $status $bytes "$referer" "$user_agent"
_SIMPLE = rb'^(\S+) \S+ \S+ \[([^\]\n]{26})\] "([^"\n]*)" (\d{3}) \S+ "[^"\n]*" "([^"\n]*)"[ \t\r]*$'
SIMPLE_RE = re.compile(_SIMPLE, re.M)
# The same shape capturing only the time: the fast pass over every line of a chunk.
TIME_RE = re.compile(rb'^\S+ \S+ \S+ \[([^\]\n]{26})\] "[^"\n]*" \d{3} \S+ "[^"\n]*" "[^"\n]*"[ \t\r]*$', re.M)
# Lines with an escaped quote (nginx writes \x22, Apache \") need the slower expression.
_Q = rb'"([^"\\\n]*(?:\\.[^"\\\n]*)*)"'
_QN = rb'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
LINE_RE = re.compile(
    rb"^(\S+) \S+ \S+ \[([^\]\n]{26})\] " + _Q + rb" (\d{3}) \S+ " + _QN + rb" " + _Q + rb"[ \t\r]*$",
    re.M,
)
# Whole lines whose request may count: GET of a page or feed path answered 200 or 304 (the
# fields are checked again in Python). Other lines fail a few bytes after the time. Search
# it in b"\n" + data: a line is "\n" + its text up to the next "\n" (the data ends with one).
# The literal "\n" lets the engine jump from line to line instead of trying every byte, which
# makes this pass about 40% faster than the same expression anchored with ^...$ and re.M.
CANDIDATE_RE = re.compile(
    rb'\n(\S++) \S++ \S++ \[([^\]\n]{26})\] "(GET /(?:[^ "?#\n]*(?:/|\.html|\.xml))?(?:[?#][^ "\n]*+)? HTTP/[0-9.]{1,5}+)" '
    rb'(200|304) \S++ "[^"\n]*+" "([^"\n]*+)"[ \t\r]*+(?=\n)'
)
# (Possessive "++"/"*+" where the next byte can never be one the repeat takes: the same
# matches, without the backtracking bookkeeping; about 15% faster again.)
ARTICLE_RE = re.compile(r"/tin-tuc/[a-z0-9]+(?:-[a-z0-9]+){0,30}/")
FEED_RE = re.compile(rb"(?:/[a-z0-9]+(?:-[a-z0-9]+){0,30}){0,4}/(?:rss|atom)\.xml")
MONTHS = {
    m.encode(): i
    for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)
}

PAGE, FEED, ASSET, OTHER = "page", "feed", "asset", "other"


_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_minute_cache = {}


def _minute_start(raw: bytes) -> int | None:
    """Return the Unix time of the minute of b"10/Oct/2026:13:55:36 +0700" (seconds ignored)."""
    try:
        month = MONTHS[raw[3:6]]
        day, year = int(raw[0:2]), int(raw[7:11])
        hour, minute = int(raw[12:14]), int(raw[15:17])
        sign = raw[21:22]
        if sign not in (b"+", b"-") or not raw[22:26].isdigit() or not raw[0:2].isdigit():
            return None
        last = _DAYS_IN_MONTH[month] + (month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0))
        if not (1 <= day <= last and hour < 24 and minute < 60 and 1970 <= year < 10000):
            return None
        epoch = calendar.timegm((year, month, day, hour, minute, 0))
    except (KeyError, ValueError):
        return None
    offset = int(raw[22:24]) * 3600 + int(raw[24:26]) * 60
    return epoch - offset if sign == b"+" else epoch + offset


def parse_time(raw: bytes) -> int | None:
    """Return the Unix time of a $time_local value such as b"10/Oct/2026:13:55:36 +0700"."""
    if len(raw) != 26 or raw[2:3] != b"/" or raw[6:7] != b"/" or raw[11:12] != b":" or raw[20:21] != b" ":
        return None
    if raw[14:15] != b":" or raw[17:18] != b":" or not raw[18:20].isdigit():
        return None
    second = int(raw[18:20])
    if second > 60:
        return None
    key = raw[:17] + raw[20:]
    base = _minute_cache.get(key)
    if base is None:
        base = _minute_start(raw)
        if base is None:
            return None
        if len(_minute_cache) > 20_000:
            _minute_cache.clear()
        _minute_cache[key] = base
    return base + second


def day_number(epoch: int) -> int:
    """Return the local (UTC+7) day of a Unix time as a day count."""
    return (epoch + ICT_SECONDS) // DAY


_ORDINAL_EPOCH = date(1970, 1, 1).toordinal()


def day_iso(number: int) -> str:
    """Return a day count as YYYY-MM-DD."""
    return date.fromordinal(_ORDINAL_EPOCH + number).isoformat()


def iso_day_number(text: str) -> int:
    """Return the day count of a YYYY-MM-DD string."""
    return date.fromisoformat(text).toordinal() - _ORDINAL_EPOCH


def iso_time(epoch: int) -> str:
    """Return a Unix time as ISO 8601 in Việt Nam time (+07:00)."""
    return datetime.fromtimestamp(epoch, ICT).isoformat()


def request_path(request: bytes) -> bytes | None:
    """Return the path of a GET request without query string or fragment, or None."""
    if request[:4] != b"GET ":
        return None
    end = request.find(b" ", 4)
    path = request[4:end] if end > 0 else request[4:]
    for mark in (b"?", b"#"):
        cut = path.find(mark)
        if cut >= 0:
            path = path[:cut]
    if path.endswith(b"/index.html"):
        path = path[:-10]
    return path


def classify(request: bytes, status: bytes) -> tuple[str, bytes | None]:
    """Return (kind, path): PAGE and FEED only for successful GETs of HTML pages and feeds."""
    if status != b"200" and status != b"304":
        return OTHER, None
    path = request_path(request)
    if path is None or path[:1] != b"/":
        return OTHER, None
    if path.endswith(b"/") or path.endswith(b".html"):
        return PAGE, path
    if (path.endswith(b"/rss.xml") or path.endswith(b"/atom.xml")) and FEED_RE.fullmatch(path):
        return FEED, path
    return ASSET, path


def article_url(path: bytes) -> str | None:
    """Return the path as an article URL (/tin-tuc/<slug>/) when it safely is one."""
    if len(path) > 200 or not path.startswith(b"/tin-tuc/"):
        return None
    text = path.decode("ascii", "replace")
    return text if ARTICLE_RE.fullmatch(text) else None


class BotRules:
    """User-agent rules read from the data file: substrings, or whole values after "="."""

    def __init__(self, lines):
        self.exact = set()
        subs = []
        for line in lines:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("="):
                self.exact.add(line[1:].strip().lower().encode())
            else:
                subs.append(line.lower())
        self.pattern = re.compile("|".join(re.escape(s) for s in subs).encode()) if subs else None
        self._cache = {}

    @classmethod
    def from_file(cls, path) -> "BotRules":
        """Read the rules file (UTF-8)."""
        return cls(Path(path).read_text(encoding="utf-8").splitlines())

    def is_bot(self, ua: bytes) -> bool:
        """Tell whether a user agent is a known bot, crawler or script."""
        hit = self._cache.get(ua)
        if hit is None:
            low = ua.strip().lower()
            hit = low in self.exact or (self.pattern is not None and self.pattern.search(low) is not None)
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[ua] = hit
        return hit


def parse_fields(line: bytes):
    """Return (ip, raw time, request, status, ua) of a combined-format line, or None."""
    m = SIMPLE_RE.match(line)
    if m is None and b'\\"' in line:
        m = LINE_RE.match(line)
    return m.groups() if m else None


def parse_line(line: bytes):
    """Return (ip, epoch, request, status, ua) of one combined-format line, or None if malformed."""
    fields = parse_fields(line.rstrip(b"\n"))
    if not fields:
        return None
    ip, raw_time, request, status, ua = fields
    epoch = parse_time(raw_time)
    if epoch is None:
        return None
    return ip, epoch, request, status, ua
