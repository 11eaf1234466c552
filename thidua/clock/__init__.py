"""The build's clock: the one place the portal reads the time.

Everything that depends on "now" (scheduled articles, the news sitemap's last two days, the
date `invoke new` writes) asks `build_time(settings)`. `BUILD_DATE` pins it (tests, benchmarks,
a reproducible rebuild); unset, the real time is read once per build (per settings object), so
every plugin of one build sees the same instant and the output is deterministic for a given
clock. The instant is kept here, not in the settings: settings are part of every page's
fingerprint, and a clock in them would make every incremental rebuild render every page.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

_last: list = [None, None]  # [the settings object of the current build, the instant it read]


def parse_clock(value: str | datetime, timezone: str) -> datetime:
    """Return `value` (ISO 8601 text or a datetime) as an aware datetime in `timezone`."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())
    zone = ZoneInfo(timezone)
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


def build_time(settings: dict) -> datetime:
    """Return this build's "now", aware, in the site's time zone (Asia/Ho_Chi_Minh)."""
    timezone = settings.get("TIMEZONE") or "Asia/Ho_Chi_Minh"
    pinned = settings.get("BUILD_DATE")
    if pinned:
        return parse_clock(pinned, timezone)
    if _last[0] is not settings:
        _last[:] = [settings, datetime.now(ZoneInfo(timezone))]
    return _last[1]
