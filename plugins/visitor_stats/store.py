"""The SQLite store: aggregates, per-log offsets and the secrets of days not yet over.

Privacy by construction: the store never receives a raw IP address or user agent. A visitor
is the first 8 bytes of sha256(salt of the day + IP + user agent); the salt comes from
`secrets` (see DaySalts) and lives only while its day is open. A day is over once the newest
log line processed is at least 15 minutes past its midnight (UTC+7): its salt, its visitor
hashes and the recent-visitor hashes are deleted in the same transaction, and only the
counts stay.
`secure_delete` overwrites deleted content in the file instead of leaving it in free pages.
"""

import hashlib
import hmac
import os
import secrets
import sqlite3
import time
from collections import Counter
from operator import itemgetter
from pathlib import Path

from .logparse import RECENT_SECONDS, day_iso, day_number, iso_day_number

OPEN_SITE = "CREATE TABLE IF NOT EXISTS open_site (day INTEGER NOT NULL, visitors BLOB NOT NULL)"
OPEN_SCOPED = (
    "CREATE TABLE IF NOT EXISTS open_scoped (day INTEGER NOT NULL, scope TEXT NOT NULL, visitors BLOB NOT NULL)"
)
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS logs (
    fingerprint TEXT PRIMARY KEY, offset INTEGER NOT NULL, lines INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS counts (
    day TEXT NOT NULL, scope TEXT NOT NULL,
    views INTEGER NOT NULL DEFAULT 0, visitors INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, scope)) WITHOUT ROWID;
{OPEN_SITE};
{OPEN_SCOPED};
CREATE TABLE IF NOT EXISTS salts (day TEXT PRIMARY KEY, salt BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS recent (visitor INTEGER PRIMARY KEY, ts INTEGER NOT NULL) WITHOUT ROWID;
"""
# open_site/open_scoped hold the visitors of open days, by day number: each row is the
# visitors (8-byte salted hashes, concatenated) first seen in one transaction, so a commit
# appends one row per (day, scope) instead of one per visitor, and counts.visitors grows by
# the number of new hashes instead of being counted again.
# scope: "" the whole site, "/tin-tuc/<slug>/" one article, "feed:/rss.xml" one feed.
TALLIES = ("lines", "malformed", "pages", "feeds", "bots", "ignored", "late")
HASH_BYTES = 8


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
        _upgrade(conn)
    return conn


def _columns(conn, table: str) -> set:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _upgrade(conn) -> None:
    """Convert open-day visitors stored one row each (before version 2) into hash rows."""
    if "visitor" not in _columns(conn, "open_site"):
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if "visitor" in _columns(conn, "open_site"):  # not converted by another process meanwhile
            site, scoped = {}, {}
            for day, visitor in conn.execute("SELECT day, visitor FROM open_site"):
                site.setdefault(day, []).append(visitor_hash(visitor))
            for day, scope, visitor in conn.execute("SELECT day, scope, visitor FROM open_scoped"):
                scoped.setdefault((day, scope), []).append(visitor_hash(visitor))
            conn.execute("DROP TABLE open_site")
            conn.execute("DROP TABLE open_scoped")
            conn.execute(OPEN_SITE)
            conn.execute(OPEN_SCOPED)
            conn.executemany(
                "INSERT INTO open_site (day, visitors) VALUES (?, ?)", [(d, b"".join(h)) for d, h in site.items()]
            )
            conn.executemany(
                "INSERT INTO open_scoped (day, scope, visitors) VALUES (?, ?, ?)",
                [(d, scope, b"".join(h)) for (d, scope), h in scoped.items()],
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def visitor_hash(visitor: int) -> bytes:
    """Return the 8 bytes of a visitor stored as a signed integer (recent; open_* before version 2)."""
    return visitor.to_bytes(HASH_BYTES, "big", signed=True)


def visitor_int(visitor: bytes) -> int:
    """Return the 8 bytes of a visitor as the signed integer the recent table stores."""
    return int.from_bytes(visitor, "big", signed=True)


def split_hashes(blob: bytes) -> list:
    """Return the 8-byte visitor hashes concatenated in one open_site/open_scoped row."""
    return [blob[i : i + HASH_BYTES] for i in range(0, len(blob), HASH_BYTES)]


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


class DaySalts:
    """The secret salt of each open day and the visitor hashes made with it, for one run.

    A day's salt is the one stored, else HMAC(run secret, day): the run secret comes from
    `secrets`, lives only in this run's memory and is never stored, so the worker processes
    (forked after it is drawn) hash with the very salt that the first commit using a day
    stores (see `store_salts`). Raw addresses and user agents never leave the process that
    read them; the main process receives hashes only.
    """

    def __init__(self, conn):
        self.stored = {iso_day_number(day): salt for day, salt in conn.execute("SELECT day, salt FROM salts")}
        self._secret = secrets.token_bytes(32)
        self._salts = {}  # day -> salt
        self._hashes = {}  # day -> {(ip, ua): hash} (memory only)

    def salt(self, day: int) -> bytes:
        """Return the salt of a day (a day number)."""
        salt = self._salts.get(day)
        if salt is None:
            salt = self.stored.get(day) or hmac.new(self._secret, day_iso(day).encode(), "sha256").digest()
            self._salts[day] = salt
        return salt

    def hashes(self, day: int) -> dict:
        """Return the {(ip, ua): hash_visitor(salt(day), ip, ua)} cache of a day, for the caller to fill."""
        cache = self._hashes.get(day)
        if cache is None:
            cache = self._hashes[day] = {}
        return cache

    def forget_hashes(self, before: int) -> None:
        """Drop the cached hashes of the days before `before` (recomputed if ever needed)."""
        for day in [day for day in self._hashes if day < before]:
            del self._hashes[day]

    def forget(self, first_open: int) -> None:
        """Drop the salts and hashes of the days over (before `first_open`) once committed."""
        self.forget_hashes(first_open)
        for table in (self._salts, self.stored):
            for day in [day for day in table if day < first_open]:
                del table[day]


def hash_visitor(salt: bytes, ip: bytes, ua: bytes) -> bytes:
    """Return a visitor: the first 8 bytes of sha256(salt of the day + IP + "\n" + user agent)."""
    return hashlib.sha256(salt + ip + b"\n" + ua).digest()[:HASH_BYTES]


def store_salts(conn, salts: DaySalts, days) -> None:
    """Store the salts of these days unless stored; fail if a stored one is another salt."""
    for day in days:
        salt = salts.salt(day)
        conn.execute("INSERT OR IGNORE INTO salts (day, salt) VALUES (?, ?)", (day_iso(day), salt))
        stored = conn.execute("SELECT salt FROM salts WHERE day = ?", (day_iso(day),)).fetchone()[0]
        if stored != salt:  # another run of visitor_stats wrote this database meanwhile
            raise RuntimeError("visitor_stats: the database changed during the run (another run?); run again")


class OpenDays:
    """The visitors of the open days, mirrored in memory for one connection (one run).

    `site` and `scoped` are what open_site and open_scoped hold: day -> {hash} and day ->
    {(scope, hash)}; a chunk's visitors are new when not in them.
    """

    def __init__(self, conn):
        self.site, self.scoped = {}, {}
        for day, blob in conn.execute("SELECT day, visitors FROM open_site"):
            self.site.setdefault(day, set()).update(split_hashes(blob))
        for day, scope, blob in conn.execute("SELECT day, scope, visitors FROM open_scoped"):
            self.scoped.setdefault(day, set()).update((scope, h) for h in split_hashes(blob))

    def close(self, first_open: int) -> None:
        """Forget every day before `first_open` (its rows are deleted in the same commit)."""
        for table in (self.site, self.scoped):
            for day in [day for day in table if day < first_open]:
                del table[day]


_SCOPE = itemgetter(0)


def _visitor_counts(site: dict, scoped: dict) -> dict:
    """Return (day, scope) -> number of new visitors."""
    counts = {(day, ""): len(hashes) for day, hashes in site.items()}
    for day, pairs in scoped.items():
        counts.update(((day, scope), n) for scope, n in Counter(map(_SCOPE, pairs)).items())
    return counts


def _scoped_rows(day: int, pairs: set) -> list:
    """Return the open_scoped rows (day, scope, hashes) of a day's new (scope, hash) pairs."""
    by_scope = {}
    for scope, h in pairs:
        by_scope.setdefault(scope, []).append(h)
    return [(day, scope, b"".join(hashes)) for scope, hashes in by_scope.items()]


_commits = 0


def commit_chunk(conn, agg, fingerprint: str, offset: int, days: OpenDays, salts: DaySalts) -> None:
    """Add one chunk's aggregates and the log's new offset in a single transaction.

    `days` (kept by the caller for this connection) mirrors the open days' visitors: only
    the chunk's new visitors are stored, as one row per (day, scope), and added to the
    count; the visitors of a day over once this chunk is counted are never stored at all.
    `salts` made the chunk's hashes: the salts of its days are stored here.
    """
    global _commits
    _commits += 1
    conn.execute("BEGIN IMMEDIATE")
    try:
        store_salts(conn, salts, sorted(agg.site.keys() | agg.scoped.keys()))
        site = {day: hashes.difference(days.site.get(day, ())) for day, hashes in agg.site.items()}
        scoped = {day: pairs.difference(days.scoped.get(day, ())) for day, pairs in agg.scoped.items()}
        counted = agg.counted_newest if agg.counted_newest is not None else meta(conn, "counted")
        first_open = None if counted is None else day_number(counted - RECENT_SECONDS)
        visitors = _visitor_counts(site, scoped)
        conn.executemany(
            "INSERT INTO counts (day, scope, views, visitors) VALUES (?, ?, ?, ?) ON CONFLICT (day, scope) "
            "DO UPDATE SET views = views + excluded.views, visitors = visitors + excluded.visitors",
            [
                (day_iso(d), scope, agg.views.get((d, scope), 0), visitors.get((d, scope), 0))
                for d, scope in sorted(agg.views.keys() | visitors.keys())
            ],
        )
        if first_open is not None:  # a day over once this chunk is counted keeps only its counts
            site = {day: hashes for day, hashes in site.items() if day >= first_open}
            scoped = {day: pairs for day, pairs in scoped.items() if day >= first_open}
        conn.executemany(
            "INSERT INTO open_site (day, visitors) VALUES (?, ?)",
            [(day, b"".join(hashes)) for day, hashes in site.items() if hashes],
        )
        conn.executemany(
            "INSERT INTO open_scoped (day, scope, visitors) VALUES (?, ?, ?)",
            [row for day, pairs in scoped.items() for row in _scoped_rows(day, pairs)],
        )
        conn.executemany(
            "INSERT INTO recent (visitor, ts) VALUES (?, ?) "
            "ON CONFLICT (visitor) DO UPDATE SET ts = max(ts, excluded.ts)",
            [(visitor_int(h), ts) for h, ts in agg.recent.items()],
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
    for day, hashes in site.items():
        days.site.setdefault(day, set()).update(hashes)
    for day, pairs in scoped.items():
        days.scoped.setdefault(day, set()).update(pairs)
    if first_open is not None:
        days.close(first_open)
        salts.forget(first_open)


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
