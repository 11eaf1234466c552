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
# Lines with an escaped quote (nginx writes \x22, Apache \") need the slower expression.
_Q = rb'"([^"\\\n]*(?:\\.[^"\\\n]*)*)"'
_QN = rb'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
LINE_RE = re.compile(
    rb"^(\S+) \S+ \S+ \[([^\]\n]{26})\] " + _Q + rb" (\d{3}) \S+ " + _QN + rb" " + _Q + rb"[ \t\r]*$",
    re.M,
)
# The two passes over a chunk, searched in b"\n" + data (the data ends with "\n"): a line is
# "\n" + its text up to the next "\n", and the literal "\n" lets the engine jump from line to
# line instead of trying every byte. Possessive "++"/"*+" where the next byte can never be
# one the repeat takes: the same matches, without the backtracking bookkeeping.
# SHAPE: one match per line, and one more, empty, at the end: the raw time of a line of the
# combined shape, b"" for any other line. CAND: the lines whose request may count (GET of
# a page or feed path answered 200 or 304; checked again in Python): ip, time, request, ua.
_SHAPE = rb'\n(?:\S++ \S++ \S++ \[(TIME)\] "FIELD" \d{3} \S++ "FIELD" "FIELD"[ \t\r]*+(?=\n)|.*)'
_CAND = rb'\n(\S++) \S++ \S++ \[(TIME)\] "(REQUEST)" (?:200|304) \S++ "FIELD" "(FIELD)"[ \t\r]*+(?=\n)'
# A page or feed path ends with "/", ".html" or ".xml" (or is empty): the path is taken whole
# and its end checked behind, rather than backtracking over every byte of asset paths.
_REQUEST = rb'GET /[^ "?#\n]*+(?:(?<=/)|(?<=\.html)|(?<=\.xml))(?:[?#][^ "\n]*+)? HTTP/[0-9.]{1,5}+'
# Each in two versions with the same groups. The EXACT one says what a well-formed line is.
# The FAST one scans 3-4 times faster: Python's engine has tight loops for "." (any byte
# but "\n") and [^"] (one excluded byte) but calls a set-membership routine per byte for
# [^"\n] or [^\]\n]. It accepts the same lines with the same groups, but for two differences,
# harmless or detected:
# - a time field with "]" in it: parse_time() rejects it, the line is malformed either way;
# - [^"]*+ may run over a "\n" into the next line. Such a match takes 2 lines or more, so
#   SHAPE_FAST then finds fewer matches than lines + 1: the caller counts that chunk again
#   with the EXACT versions. (A CAND_FAST match is a SHAPE_FAST match of the same line.)
_EXACT = {b"TIME": rb"[^\]\n]{26}", b"FIELD": rb'[^"\n]*+', b"REQUEST": _REQUEST}
_FAST = {b"TIME": rb".{26}", b"FIELD": rb'[^"]*+', b"REQUEST": _REQUEST}


def _compile(template: bytes, parts: dict) -> re.Pattern:
    for name, part in parts.items():
        template = template.replace(name, part)
    return re.compile(template)


SHAPE_EXACT = _compile(_SHAPE, _EXACT)
SHAPE_FAST = _compile(_SHAPE, _FAST)
CAND_EXACT = _compile(_CAND, _EXACT)
CAND_FAST = _compile(_CAND, _FAST)
ARTICLE_RE = re.compile(r"/tin-tuc/[a-z0-9]+(?:-[a-z0-9]+){0,30}/")
FEED_RE = re.compile(rb"(?:/[a-z0-9]+(?:-[a-z0-9]+){0,30}){0,4}/(?:rss|atom)\.xml")
MONTHS = {
    m.encode(): i
    for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)
}

PAGE, FEED, ASSET, OTHER = "page", "feed", "asset", "other"


_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# A time b"10/Oct/2026:13:55:36 +0700" is valid exactly when its minute b"10/Oct/2026:13:55"
# and its rest b":36 +0700" both are, and its Unix time is the sum of a value of each: so the
# 20,000 distinct times of a chunk cost two dictionary look-ups each, not a parse.
_MINUTES = {}  # minute (17 bytes) -> Unix time of that minute read as UTC, or _INVALID
_RESTS = {}  # rest (9 bytes) -> seconds minus the UTC offset, or _INVALID
_CACHE_MAX = 20_000
# Marks an invalid part: any sum with it is below _VALID_MIN, and every valid time is above
# (year >= 1970, UTC offsets below 100 hours), so a sum needs no test for None.
_INVALID = -(1 << 62)
_VALID_MIN = -(1 << 61)


def _minute_start(minute: bytes) -> int | None:
    """Return the Unix time of b"10/Oct/2026:13:55" read as UTC, or None if it is no such minute."""
    if minute[2:3] != b"/" or minute[6:7] != b"/" or minute[11:12] != b":" or minute[14:15] != b":":
        return None
    try:
        month = MONTHS[minute[3:6]]
        day, year = int(minute[0:2]), int(minute[7:11])
        hour, minute_ = int(minute[12:14]), int(minute[15:17])
        if not minute[0:2].isdigit():
            return None
        last = _DAYS_IN_MONTH[month] + (month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0))
        if not (1 <= day <= last and hour < 24 and minute_ < 60 and 1970 <= year < 10000):
            return None
        return calendar.timegm((year, month, day, hour, minute_, 0))
    except (KeyError, ValueError):
        return None


def _rest_seconds(rest: bytes) -> int | None:
    """Return the seconds of b":36 +0700" minus its UTC offset (36 - 25200), or None if invalid."""
    if rest[0:1] != b":" or rest[3:4] != b" " or not rest[1:3].isdigit() or not rest[5:9].isdigit():
        return None
    second = int(rest[1:3])
    sign = rest[4:5]
    if len(rest) != 9 or second > 60 or sign not in (b"+", b"-"):
        return None
    offset = int(rest[5:7]) * 3600 + int(rest[7:9]) * 60
    return second - offset if sign == b"+" else second + offset


def _part(cache: dict, key: bytes, compute) -> int:
    value = cache.get(key)
    if value is None:
        if len(cache) > _CACHE_MAX:
            cache.clear()
        value = compute(key)
        value = cache[key] = _INVALID if value is None else value
    return value


def parse_time(raw: bytes) -> int | None:
    """Return the Unix time of a $time_local value such as b"10/Oct/2026:13:55:36 +0700"."""
    # A rest is valid only if 9 bytes long: only a 26-byte time can be valid.
    t = _part(_MINUTES, raw[:17], _minute_start) + _part(_RESTS, raw[17:], _rest_seconds)
    return t if t > _VALID_MIN else None


def parse_times(raws) -> dict:
    """Return {raw: parse_time(raw)} for distinct raw times, in a tight loop."""
    minutes, rests = _MINUTES, _RESTS
    parsed = {}
    for raw in raws:
        try:
            t = minutes[raw[:17]] + rests[raw[17:]]
        except KeyError:  # a part seen for the first time
            parsed[raw] = parse_time(raw)
            continue
        parsed[raw] = t if t > _VALID_MIN else None
    return parsed


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
