"""Find publication dates written the Vietnamese way in portal text."""

import re
from dataclasses import dataclass
from datetime import date

__all__ = ["FoundDate", "find_date", "parse_vi_date"]

_TIME = r"(?:[,\s]*(?:lúc\s*)?(?P<hh>\d{1,2})\s*[:hg]\s*(?P<mi>\d{2})(?:\s*:\s*\d{2})?)?"
_PATTERNS = [
    # ISO 8601: 2021-01-15, 2021-01-15T08:30, 2021-01-15 08:30:00
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[T\s](?P<hh>\d{2}):(?P<mi>\d{2}))?"),
    # Ngày 11 tháng 1 năm 2021
    re.compile(r"ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})", re.IGNORECASE),
    # 15-01-2021, 07/03/2020, 06/3/2020, 14/03/2024 08:15
    re.compile(r"(?<![\d/.-])(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})(?![\d/])" + _TIME),
]
# "ngày tháng 02 năm 2021": a document dated before its day was filled in.
_MONTH_ONLY = re.compile(r"ngày\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})", re.IGNORECASE)


@dataclass(frozen=True)
class FoundDate:
    """A date found in text: the value, an optional HH:MM, and whether the day was missing."""

    day: date
    time: str | None = None
    partial: bool = False

    def header_value(self) -> str:
        """Return the contract's `Date` value: YYYY-MM-DD or YYYY-MM-DD HH:MM."""
        text = self.day.isoformat()
        return f"{text} {self.time}" if self.time else text


def parse_vi_date(text: str) -> FoundDate | None:
    """Return the first complete date written in text, or None."""
    best = None
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            found = _build(match)
            if found and (best is None or match.start() < best[0]):
                best = (match.start(), found)
            if found:
                break
    return best[1] if best else None


def find_date(text: str) -> FoundDate | None:
    """Return a complete date, else a month-only date (day 1, marked partial), else None."""
    found = parse_vi_date(text)
    if found:
        return found
    match = _MONTH_ONLY.search(text)
    if match:
        try:
            return FoundDate(date(int(match["y"]), int(match["m"]), 1), partial=True)
        except ValueError:
            return None
    return None


def _build(match: re.Match) -> FoundDate | None:
    try:
        day = date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    if not 1900 <= day.year <= 2100:
        return None
    time = None
    groups = match.groupdict()
    if groups.get("hh") and groups.get("mi"):
        hh, mi = int(groups["hh"]), int(groups["mi"])
        if hh < 24 and mi < 60:
            time = f"{hh:02d}:{mi:02d}"
    return FoundDate(day, time)
