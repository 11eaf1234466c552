"""The SQLite store: aggregates, per-log offsets and the secrets of days not yet over.

Privacy by construction: the store never receives a raw IP address or user agent. A visitor
is the first 8 bytes of sha256(salt of the day + IP + user agent); the salt comes from
`secrets` and lives only while its day is open. A day is over once the newest log line
processed is at least 15 minutes past its midnight (UTC+7): its salt, its visitor hashes and
the recent-visitor hashes are deleted in the same transaction, and only the counts stay.
`secure_delete` overwrites deleted content in the file instead of leaving it in free pages.
"""

import hashlib
import os
import secrets
import sqlite3
import time
from pathlib import Path

from .logparse import RECENT_SECONDS, day_iso, day_number

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS logs (
    fingerprint TEXT PRIMARY KEY, offset INTEGER NOT NULL, lines INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS counts (
    day TEXT NOT NULL, scope TEXT NOT NULL,
    views INTEGER NOT NULL DEFAULT 0, visitors INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, scope)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS open_site (
    day INTEGER NOT NULL, visitor INTEGER NOT NULL, PRIMARY KEY (day, visitor)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS open_scoped (
    day INTEGER NOT NULL, scope TEXT NOT NULL, visitor INTEGER NOT NULL,
    PRIMARY KEY (day, scope, visitor)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS salts (day TEXT PRIMARY KEY, salt BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS recent (visitor INTEGER PRIMARY KEY, ts INTEGER NOT NULL) WITHOUT ROWID;
"""
# open_site/open_scoped hold visitors (64-bit salted hashes) of open days, by day number.
# scope: "" the whole site, "/tin-tuc/<slug>/" one article, "feed:/rss.xml" one feed.
TALLIES = ("lines", "malformed", "pages", "feeds", "bots", "ignored", "late")


def connect(path, create: bool = True) -> sqlite3.Connection:
    """Open (and create) the database with the pragmas the store relies on."""
    path = Path(path)
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA cache_size = -65536")
    if create:
        conn.executescript(SCHEMA)
    return conn


def meta(conn, key: str, default=None):
    """Return one integer from the meta table."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def log_offset(conn, fingerprint: str) -> int:
    """Return how many bytes of the log with this fingerprint are already counted."""
    row = conn.execute("SELECT offset FROM logs WHERE fingerprint = ?", (fingerprint,)).fetchone()
    return row[0] if row else 0


def _debug_pause(commit_number: int) -> None:
    """Stop inside a transaction when a test asks to (it then kills the process with SIGKILL)."""
    wanted = os.environ.get("VISITOR_STATS_DEBUG_PAUSE_AT_COMMIT")
    if wanted and int(wanted) == commit_number:
        Path(os.environ["VISITOR_STATS_DEBUG_MARKER"]).write_text("paused", encoding="ascii")
        time.sleep(3600)


class Salts:
    """Secret salt of each open day, created on first use inside the current transaction."""

    def __init__(self, conn):
        self.conn = conn
        self.cache = {}

    def get(self, day: str) -> bytes:
        salt = self.cache.get(day)
        if salt is None:
            row = self.conn.execute("SELECT salt FROM salts WHERE day = ?", (day,)).fetchone()
            if row:
                salt = row[0]
            else:
                salt = secrets.token_bytes(32)
                self.conn.execute("INSERT INTO salts (day, salt) VALUES (?, ?)", (day, salt))
            self.cache[day] = salt
        return salt


_commits = 0


def commit_chunk(conn, agg, fingerprint: str, offset: int, seen: dict | None = None) -> None:
    """Add one chunk's aggregates and the log's new offset in a single transaction.

    `seen` (optional, kept by the caller for one connection during one run, in memory only)
    maps day -> {(day, ip, user agent): visitor hash} of the site visitors committed so far:
    their hashes are not computed and their rows not inserted again.
    """
    global _commits
    _commits += 1
    conn.execute("BEGIN IMMEDIATE")
    try:
        salts = Salts(conn)
        days = {d for d, _ in agg.views}
        days.update({who[0] for who in agg.site_visitors})
        iso = {d: day_iso(d) for d in days}
        day_salt = {d: salts.get(text) for d, text in iso.items()}
        sha = hashlib.sha256
        seen = {} if seen is None else seen
        hashes = {}
        new_site = []
        for who in agg.site_visitors:
            known = seen.get(who[0])
            h = known.get(who) if known else None
            if h is None:
                h = int.from_bytes(sha(day_salt[who[0]] + who[1] + b"\n" + who[2]).digest()[:8], "big", signed=True)
                new_site.append((who, h))
            hashes[who] = h
        for who, _ in agg.visitors:
            if who not in hashes:  # a feed reader that fetched no page
                hashes[who] = int.from_bytes(
                    sha(day_salt[who[0]] + who[1] + b"\n" + who[2]).digest()[:8], "big", signed=True
                )
        conn.executemany(
            "INSERT INTO counts (day, scope, views) VALUES (?, ?, ?) "
            "ON CONFLICT (day, scope) DO UPDATE SET views = views + excluded.views",
            [(iso[d], scope, n) for (d, scope), n in agg.views.items()],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO open_site (day, visitor) VALUES (?, ?)",
            [(who[0], h) for who, h in new_site],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO open_scoped (day, scope, visitor) VALUES (?, ?, ?)",
            [(who[0], scope, hashes[who]) for who, scope in agg.visitors],
        )
        touched_days = sorted({who[0] for who in agg.site_visitors})
        conn.executemany(
            "UPDATE counts SET visitors = (SELECT COUNT(*) FROM open_site WHERE day = ?) WHERE day = ? AND scope = ''",
            [(d, iso[d]) for d in touched_days],
        )
        touched = sorted({(who[0], scope) for who, scope in agg.visitors})
        conn.executemany(
            "UPDATE counts SET visitors = (SELECT COUNT(*) FROM open_scoped WHERE day = ? AND scope = ?) "
            "WHERE day = ? AND scope = ?",
            [(d, scope, iso[d], scope) for d, scope in touched],
        )
        conn.executemany(
            "INSERT INTO recent (visitor, ts) VALUES (?, ?) "
            "ON CONFLICT (visitor) DO UPDATE SET ts = max(ts, excluded.ts)",
            [(hashes[who], ts) for who, ts in agg.recent.items()],
        )
        if agg.newest is not None:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('newest', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)",
                (agg.newest,),
            )
        if agg.counted_newest is not None:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('counted', ?)", (agg.counted_newest,))
        close_days(conn, meta(conn, "newest"), meta(conn, "counted"))
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
            [("tally_" + name, getattr(agg, name)) for name in TALLIES],
        )
        conn.execute(
            "INSERT INTO logs (fingerprint, offset, lines) VALUES (?, ?, ?) "
            "ON CONFLICT (fingerprint) DO UPDATE SET offset = excluded.offset, lines = lines + excluded.lines",
            (fingerprint, offset, agg.lines),
        )
        _debug_pause(_commits)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    for who, h in new_site:
        seen.setdefault(who[0], {})[who] = h
    counted = meta(conn, "counted")
    if counted is not None:
        first_open = day_number(counted - RECENT_SECONDS)
        for day in [d for d in seen if d < first_open]:  # over: its rows are deleted too
            del seen[day]


def close_days(conn, newest: int | None, counted: int | None) -> None:
    """Forget the salts and visitor hashes of every day over at the newest counted request."""
    if newest is not None:
        conn.execute("DELETE FROM recent WHERE ts <= ?", (newest - RECENT_SECONDS,))
    if counted is None:
        return
    first_open = day_number(counted - RECENT_SECONDS)
    conn.execute("DELETE FROM open_site WHERE day < ?", (first_open,))
    conn.execute("DELETE FROM open_scoped WHERE day < ?", (first_open,))
    conn.execute("DELETE FROM salts WHERE day < ?", (day_iso(first_open),))
