"""Command line: count access logs into the store and publish <site>/thong-ke.json."""

import argparse
import logging
import sys
from pathlib import Path

from . import store
from .ingest import identify, ingest_file
from .logparse import BotRules
from .settings import resolve_path, setting, validate
from .snapshot import write_snapshot

logger = logging.getLogger(__name__)


def run_stats(log_paths: list[str], db_path: str | None, site_dir: str, settings: dict | None = None) -> int:
    """Count the new lines of the logs and write <site_dir>/thong-ke.json; return an exit code.

    Logs are read oldest first (by the time of their first line), each exactly once however
    often they are passed, renamed or compressed. The snapshot is written atomically and
    depends only on the logs, so running again on the same logs changes no byte.
    """
    settings = dict(settings or {})
    try:
        validate(settings)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    db = Path(db_path) if db_path else resolve_path(settings, "VISITOR_STATS_DB")
    bots = BotRules.from_file(resolve_path(settings, "VISITOR_STATS_BOTS_FILE"))
    chunk = setting(settings, "VISITOR_STATS_CHUNK_BYTES")
    missing = [p for p in log_paths if not Path(p).is_file()]
    for path in missing:
        print(f"visitor_stats: {path}: no such file", file=sys.stderr)
    logs = []
    for order, path in enumerate(p for p in log_paths if Path(p).is_file()):
        fingerprint, first_time = identify(path)
        if fingerprint is None:
            print(f"visitor_stats: {path}: no complete line yet, skipped", file=sys.stderr)
            continue
        logs.append((first_time if first_time is not None else float("inf"), order, path, fingerprint))
    logs.sort()
    conn = store.connect(db)
    try:
        for _, _, path, fingerprint in logs:
            report = ingest_file(conn, path, bots, chunk, fingerprint)
            note = f" ({report.note})" if report.note else ""
            print(
                f"visitor_stats: {path}: {report.lines} new lines, {report.pages} page views, "
                f"{report.malformed} malformed, {report.late} late{note}"
            )
    finally:
        conn.close()
    out = Path(site_dir) / setting(settings, "VISITOR_STATS_JSON_SAVE_AS")
    snap = write_snapshot(
        db,
        out,
        site_dir,
        setting(settings, "VISITOR_STATS_MOST_READ"),
        setting(settings, "VISITOR_STATS_MOST_READ_DAYS"),
    )
    print(
        f"visitor_stats: wrote {out}: {snap['totals']['pageviews']} page views in total, "
        f"{snap['today']['pageviews']} today, {snap['last_15_minutes']['visitors']} in the last 15 minutes, "
        f"{snap['lines']['malformed']} malformed lines so far"
    )
    return 1 if missing else 0


def main(argv=None) -> int:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(prog="visitor_stats", description="Count access logs into /thong-ke.json.")
    parser.add_argument("logs", nargs="+", help="access logs (combined format, plain or .gz)")
    parser.add_argument("--db", help="SQLite database (default: VISITOR_STATS_DB, cache/visitor-stats.sqlite3)")
    parser.add_argument("--site", default="output", help="built site folder to write thong-ke.json into")
    parser.add_argument("--bots", help="user-agent rules file (default: data/visitor_stats/bots.txt)")
    parser.add_argument("--chunk-bytes", type=int, help="bytes per transaction")
    args = parser.parse_args(argv)
    settings = {}
    if args.bots:
        settings["VISITOR_STATS_BOTS_FILE"] = str(Path(args.bots).resolve())
    if args.chunk_bytes:
        settings["VISITOR_STATS_CHUNK_BYTES"] = args.chunk_bytes
    return run_stats(args.logs, args.db, args.site, settings)


if __name__ == "__main__":
    sys.exit(main())
