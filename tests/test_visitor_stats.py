"""Visitor statistics from access logs: exact counts, exactly-once ingestion, privacy, hostile lines.

Every visitor, address and user agent in these logs is fictional (documentation IP ranges).
"""

import gzip
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import loggen
from plugins.visitor_stats import ingest, store

ROOT = Path(__file__).resolve().parents[1]
from plugins.visitor_stats.cli import run_stats  # noqa: E402
from plugins.visitor_stats.logparse import (  # noqa: E402
    CAND_EXACT,
    CAND_FAST,
    BotRules,
    classify,
    iso_day_number,
    parse_line,
    parse_time,
    parse_times,
)
from plugins.visitor_stats.snapshot import empty_snapshot, latest_snapshot  # noqa: E402

BOTS = str(ROOT / "data/visitor_stats/bots.txt")
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile Safari/604.1"
FEEDLY = "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 3 subscribers)"
NNW = "NetNewsWire (RSS Reader; https://netnewswire.com/)"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def line(ip, when, request, status, ua, size=1234, ref="-"):
    return f'{ip} - - [{when} +0700] "{request}" {status} {size} "{ref}" "{ua}"'


KNOWN = [
    line("192.0.2.1", "20/Nov/2026:10:00:00", "GET /tin-tuc/bai-mot/ HTTP/1.1", 200, FIREFOX),
    line("192.0.2.1", "20/Nov/2026:10:00:01", "GET /theme/css/style.css HTTP/1.1", 200, FIREFOX),
    line("192.0.2.1", "20/Nov/2026:10:05:00", "GET /tin-tuc/bai-mot/?utm_source=zalo HTTP/1.1", 200, FIREFOX),
    line("198.51.100.2", "20/Nov/2026:10:06:00", "GET / HTTP/2.0", 304, CHROME),
    line("198.51.100.2", "20/Nov/2026:10:07:00", "GET /tin-tuc/bai-hai/index.html HTTP/2.0", 200, CHROME),
    line("66.249.66.1", "20/Nov/2026:10:08:00", "GET /tin-tuc/bai-mot/ HTTP/1.1", 200, GOOGLEBOT),
    line("198.51.100.2", "20/Nov/2026:10:09:00", "POST /tim-kiem/ HTTP/2.0", 200, CHROME),
    line("198.51.100.2", "20/Nov/2026:10:09:30", "HEAD / HTTP/2.0", 200, CHROME),
    line("192.0.2.9", "20/Nov/2026:10:09:40", "GET /khong-co/ HTTP/1.1", 404, SAFARI),
    "garbage that is not a log line",
    line("203.0.113.7", "20/Nov/2026:10:10:00", "GET /rss.xml HTTP/1.1", 200, FEEDLY),
    line("203.0.113.7", "20/Nov/2026:11:10:00", "GET /rss.xml HTTP/1.1", 304, FEEDLY),
    line("203.0.113.8", "20/Nov/2026:11:20:00", "GET /rss.xml HTTP/1.1", 200, NNW),
    line("192.0.2.1", "21/Nov/2026:09:00:00", "GET /tin-tuc/bai-hai/ HTTP/1.1", 200, FIREFOX),
    line("192.0.2.9", "21/Nov/2026:09:10:00", "GET /chuyen-muc/ton-vinh-dien-hinh/ HTTP/1.1", 200, SAFARI),
    line("192.0.2.1", "21/Nov/2026:09:20:00", "GET / HTTP/1.1", 200, FIREFOX),
]


def write_log(path: Path, lines, compress=False, newline_at_end=True) -> Path:
    data = ("\n".join(lines) + ("\n" if newline_at_end else "")).encode("utf-8", "surrogateescape")
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
    return path


def run(tmp_path, logs, chunk=4096, site=None) -> dict:
    site = site or tmp_path / "site"
    settings = {"VISITOR_STATS_BOTS_FILE": BOTS, "VISITOR_STATS_CHUNK_BYTES": chunk}
    code = run_stats([str(p) for p in logs], str(tmp_path / "stats.sqlite3"), str(site), settings)
    assert code == 0
    return json.loads((site / "thong-ke.json").read_text(encoding="utf-8"))


def output_bytes(tmp_path) -> bytes:
    return (tmp_path / "site" / "thong-ke.json").read_bytes()


# --- pure functions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"10/Oct/2026:13:55:36 +0700", 1791615336),
        (b"10/Oct/2026:06:55:36 +0000", 1791615336),
        (b"29/Feb/2024:00:00:00 +0000", 1709164800),
        (b"29/Feb/2026:00:00:00 +0000", None),
        (b"32/Oct/2026:13:55:36 +0700", None),
        (b"10/Foo/2026:13:55:36 +0700", None),
        (b"10/Oct/2026:25:55:36 +0700", None),
        (b"10/Oct/2026 13:55:36 +0700", None),
        (b"", None),
    ],
)
def test_parse_time_reads_nginx_time_local(raw, expected):
    assert parse_time(raw) == expected


def test_parse_times_answers_like_parse_time_for_many_values():
    raws = [
        b"10/Oct/2026:13:55:36 +0700",
        b"10/Oct/2026:13:55:37 +0700",
        b"10/Oct/2026:06:55:36 +0000",
        b"10/Oct/2026:13:55:36 -0100",
        b"29/Feb/2026:00:00:00 +0000",
        b"10/Oct/2026:13:55:61 +0700",
        b"10/Oct/2026:13:55:36 *0700",
        b"10/Oct]2026:13:55:36 +0700",
        b"10/Oct/2026:13:55:36 +0700 ",
        b"",
    ]
    expected = [1791615336, 1791615337, 1791615336, 1791615336 + 8 * 3600, None, None, None, None, None, None]
    assert parse_times(raws) == dict(zip(raws, expected, strict=True))
    assert [parse_time(raw) for raw in raws] == expected


@pytest.mark.parametrize(
    ("request_line", "status", "expected"),
    [
        (b"GET / HTTP/1.1", b"200", ("page", b"/")),
        (b"GET /tin-tuc/a/?x=1 HTTP/1.1", b"304", ("page", b"/tin-tuc/a/")),
        (b"GET /tin-tuc/a/index.html HTTP/1.1", b"200", ("page", b"/tin-tuc/a/")),
        (b"GET /404.html HTTP/1.1", b"200", ("page", b"/404.html")),
        (b"GET /rss.xml HTTP/1.1", b"200", ("feed", b"/rss.xml")),
        (b"GET /chuyen-muc/x/atom.xml HTTP/1.1", b"304", ("feed", b"/chuyen-muc/x/atom.xml")),
        (b"GET /sitemap.xml HTTP/1.1", b"200", ("asset", b"/sitemap.xml")),
        (b"GET /theme/css/style.css HTTP/1.1", b"200", ("asset", b"/theme/css/style.css")),
        (b"GET / HTTP/1.1", b"404", ("other", None)),
        (b"HEAD / HTTP/1.1", b"200", ("other", None)),
        (b"POST /tim-kiem/ HTTP/1.1", b"200", ("other", None)),
        (b"\x16\x03\x01", b"400", ("other", None)),
    ],
)
def test_classify_counts_only_successful_gets_of_pages_and_feeds(request_line, status, expected):
    assert classify(request_line, status) == expected


@pytest.mark.parametrize(
    ("ua", "bot"),
    [(GOOGLEBOT, True), ("curl/8.5.0", True), ("-", True), ("", True), (FIREFOX, False), (FEEDLY, False)],
)
def test_bot_rules_from_data_file(ua, bot):
    assert BotRules.from_file(BOTS).is_bot(ua.encode()) is bot


def test_parse_line_accepts_escaped_quotes_and_rejects_truncated_lines():
    ok = b'192.0.2.1 - - [20/Nov/2026:10:00:00 +0700] "GET / HTTP/1.1" 200 5 "-" "Agent \\"quoted\\" 1.0"'
    assert parse_line(ok)[4] == b'Agent \\"quoted\\" 1.0'
    assert parse_line(b'192.0.2.1 - - [20/Nov/2026:10:00:00 +0700] "GET / HTTP/1.1" 200') is None


# --- exact counts ---------------------------------------------------------------------------


def test_known_log_gives_exact_counts(tmp_path):
    snap = run(tmp_path, [write_log(tmp_path / "access.log", KNOWN)])
    assert snap["updated_at"] == "2026-11-21T09:20:00+07:00"
    assert snap["totals"] == {"pageviews": 7, "visitors": 4, "feed_fetches": 3}
    assert snap["today"] == {"date": "2026-11-21", "pageviews": 3, "visitors": 2}
    assert snap["last_15_minutes"] == {"visitors": 2}
    assert snap["last_30_days"][-2:] == [
        {"date": "2026-11-20", "pageviews": 4, "visitors": 2},
        {"date": "2026-11-21", "pageviews": 3, "visitors": 2},
    ]
    assert len(snap["last_30_days"]) == 30
    assert snap["most_read"] == [
        {"url": "/tin-tuc/bai-hai/", "title": None, "pageviews": 2, "visitors": 2},
        {"url": "/tin-tuc/bai-mot/", "title": None, "pageviews": 2, "visitors": 1},
    ]
    assert snap["feeds"] == [{"url": "/rss.xml", "fetches": 3, "subscribers": 2, "date": "2026-11-20"}]
    assert snap["lines"]["lines"] == 16
    assert snap["lines"]["malformed"] == 1
    assert snap["lines"]["bots"] == 1


def test_generated_log_matches_the_generators_truth(tmp_path):
    truth = loggen.Truth()
    lines = list(loggen.generate(30000, days=3, seed=7, truth=truth))
    expected = truth.result()
    snap = run(tmp_path, [write_log(tmp_path / "access.log", lines)], chunk=256 * 1024)
    assert snap["totals"]["pageviews"] == expected["pageviews"]
    assert snap["totals"]["visitors"] == expected["visitors"]
    assert snap["lines"]["malformed"] == expected["malformed"]
    assert snap["lines"]["lines"] == expected["lines"]
    assert snap["last_15_minutes"]["visitors"] == expected["recent_visitors"]
    assert snap["updated_at"] == expected["updated_at"]
    days = {d["date"]: {"pageviews": d["pageviews"], "visitors": d["visitors"]} for d in snap["last_30_days"]}
    for day, counts in expected["days"].items():
        assert days[day] == counts
    assert {f["url"]: f["fetches"] for f in snap["feeds"]} == expected["feeds"]
    top = snap["most_read"][0]
    assert top["pageviews"] == max(expected["articles"].values())


def test_escaped_quotes_in_a_user_agent_count_like_any_other(tmp_path):
    quoted = line("192.0.2.60", "21/Nov/2026:09:21:00", "GET /tin-tuc/bai-mot/ HTTP/1.1", 200, 'Agent \\"q\\" 1.0')
    snap = run(tmp_path, [write_log(tmp_path / "access.log", KNOWN + [quoted])])
    assert snap["totals"] == {"pageviews": 8, "visitors": 5, "feed_fetches": 3}
    assert snap["most_read"][0] == {"url": "/tin-tuc/bai-mot/", "title": None, "pageviews": 3, "visitors": 2}
    assert snap["lines"]["malformed"] == 1


def test_a_field_running_over_a_line_end_leaves_both_lines_malformed(tmp_path):
    # The fast expressions let a quoted field run on into the next line; the exact ones,
    # which then count the chunk again, take each of these lines as malformed on its own.
    open_ua = line("192.0.2.50", "21/Nov/2026:09:21:00", "GET /tin-tuc/bai-mot/ HTTP/1.1", 200, FIREFOX)[:-1]
    open_request = '192.0.2.51 - - [21/Nov/2026:09:22:00 +0700] "GET /tin-tuc/bai-hai/'
    bad = [open_ua, 'Firefox/1"', open_request, f'HTTP/1.1" 200 5 "-" "{FIREFOX}"']
    buf = ("\n" + "\n".join(bad) + "\n").encode()
    assert CAND_FAST.findall(buf)  # what the fast pass alone would count
    assert ingest._shapes(buf, len(bad))[1] is CAND_EXACT
    snap = run(tmp_path, [write_log(tmp_path / "access.log", KNOWN + bad)], chunk=1 << 20)
    assert snap["totals"] == {"pageviews": 7, "visitors": 4, "feed_fetches": 3}
    assert snap["updated_at"] == "2026-11-21T09:20:00+07:00"
    assert snap["lines"]["malformed"] == 1 + len(bad)


def test_a_request_of_a_day_already_over_adds_a_view_but_no_visitor(tmp_path):
    late = line("203.0.113.99", "20/Nov/2026:23:00:00", "GET /tin-tuc/bai-mot/ HTTP/1.1", 200, SAFARI)
    snap = run(tmp_path, [write_log(tmp_path / "access.log", KNOWN + [late])])
    assert snap["last_30_days"][-2:] == [
        {"date": "2026-11-20", "pageviews": 5, "visitors": 2},
        {"date": "2026-11-21", "pageviews": 3, "visitors": 2},
    ]
    assert snap["lines"]["late"] == 1


def test_recent_visitors_are_exact_when_thousands_of_views_fall_in_the_last_15_minutes(tmp_path):
    truth = loggen.Truth()
    lines = list(loggen.generate(20000, days=0, seed=3, truth=truth))  # all within a few seconds
    expected = truth.result()
    assert expected["pageviews"] > 5000
    snap = run(tmp_path, [write_log(tmp_path / "access.log", lines)], chunk=1 << 24)
    assert snap["last_15_minutes"]["visitors"] == expected["recent_visitors"]
    assert snap["totals"]["visitors"] == expected["visitors"]


def test_titles_come_from_the_built_site_and_unknown_paths_are_dropped(tmp_path):
    site = tmp_path / "site"
    page = site / "tin-tuc" / "bai-hai" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(
        '<html><head><meta property="og:title" content="Bài hai &lt;b&gt;đặc biệt&lt;/b&gt;">'
        "<title>x</title></head></html>",
        encoding="utf-8",
    )
    snap = run(tmp_path, [write_log(tmp_path / "access.log", KNOWN)], site=site)
    assert snap["most_read"] == [
        {"url": "/tin-tuc/bai-hai/", "title": "Bài hai <b>đặc biệt</b>", "pageviews": 2, "visitors": 2}
    ]
    raw = (site / "thong-ke.json").read_text(encoding="utf-8")
    assert "<" not in raw and ">" not in raw and "\\u003cb\\u003e" in raw


def test_without_a_database_the_snapshot_is_empty_and_valid(tmp_path):
    assert latest_snapshot(str(tmp_path / "none.sqlite3")) is None
    assert empty_snapshot()["updated_at"] is None
    assert empty_snapshot()["totals"] == {"pageviews": 0, "visitors": 0, "feed_fetches": 0}


# --- exactly once ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated():
    """A 3-day log of 20 000 lines and its snapshot after one clean pass."""
    return list(loggen.generate(20000, days=3, seed=11))


def clean_pass(tmp_path, lines) -> bytes:
    clean = tmp_path / "clean"
    clean.mkdir()
    run(clean, [write_log(clean / "all.log", lines)])
    return output_bytes(clean)


def test_reading_the_same_log_twice_counts_it_once(tmp_path, generated):
    expected = clean_pass(tmp_path, generated)
    log = write_log(tmp_path / "access.log", generated)
    run(tmp_path, [log])
    run(tmp_path, [log, log])
    copy = tmp_path / "copy.log"
    shutil.copy(log, copy)
    run(tmp_path, [copy])
    assert output_bytes(tmp_path) == expected


@pytest.mark.parametrize("compress", [False, True], ids=["renamed", "renamed-and-gzipped"])
def test_a_log_rotated_between_runs_is_neither_lost_nor_counted_twice(tmp_path, generated, compress):
    expected = clean_pass(tmp_path, generated)
    first, second = 7000, 13000
    log = write_log(tmp_path / "access.log", generated[:first])
    run(tmp_path, [log])
    # nginx keeps writing, then logrotate renames (and compresses) and a new log starts
    write_log(log, generated[:second])
    rotated = tmp_path / ("access.log.1.gz" if compress else "access.log.1")
    if compress:
        rotated.write_bytes(gzip.compress(log.read_bytes(), mtime=0))
        log.unlink()
    else:
        log.rename(rotated)
    write_log(tmp_path / "access.log", generated[second:])
    run(tmp_path, [tmp_path / "access.log", rotated])  # any order
    assert output_bytes(tmp_path) == expected


def test_a_log_copied_and_truncated_between_runs_is_counted_once(tmp_path, generated):
    expected = clean_pass(tmp_path, generated)
    log = write_log(tmp_path / "access.log", generated[:5000])
    run(tmp_path, [log])
    write_log(log, generated[:12000])
    shutil.copy(log, tmp_path / "access.log.1")  # logrotate copytruncate
    log.write_bytes(b"")
    run(tmp_path, [log, tmp_path / "access.log.1"])
    write_log(log, generated[12000:])
    run(tmp_path, [log, tmp_path / "access.log.1"])
    assert output_bytes(tmp_path) == expected


def test_an_incomplete_last_line_is_counted_when_it_is_complete(tmp_path, generated):
    expected = clean_pass(tmp_path, generated)
    data = ("\n".join(generated) + "\n").encode("utf-8", "surrogateescape")
    log = tmp_path / "access.log"
    log.write_bytes(data[: len(data) // 2 + 17])
    run(tmp_path, [log])
    log.write_bytes(data)
    run(tmp_path, [log])
    assert output_bytes(tmp_path) == expected


def test_a_run_killed_with_sigkill_and_run_again_counts_exactly_once(tmp_path, generated):
    expected = clean_pass(tmp_path, generated)
    log = write_log(tmp_path / "access.log.gz", generated, compress=True)
    marker = tmp_path / "paused"
    args = (None, str(log), str(tmp_path / "stats.sqlite3"), str(tmp_path / "site"), BOTS)
    script = (
        f"import sys; from plugins.visitor_stats.cli import run_stats; "
        f"sys.exit(run_stats([{args[1]!r}], {args[2]!r}, {args[3]!r}, "
        f"{{'VISITOR_STATS_BOTS_FILE': {args[4]!r}, 'VISITOR_STATS_CHUNK_BYTES': 4096}}))"
    )
    env = {**os.environ, "VISITOR_STATS_DEBUG_PAUSE_AT_COMMIT": "40", "VISITOR_STATS_DEBUG_MARKER": str(marker)}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.DEVNULL)
    try:
        for _ in range(1200):  # wait until it is inside its 40th transaction
            if marker.exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), "the run never reached its 40th commit"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait() == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
    with sqlite3.connect(tmp_path / "stats.sqlite3") as conn:
        done = conn.execute("SELECT offset FROM logs").fetchone()[0]
    assert 0 < done < len(gzip.decompress(log.read_bytes()))  # 39 chunks committed, then killed
    run(tmp_path, [log])
    assert output_bytes(tmp_path) == expected


def test_parallel_chunks_count_an_out_of_order_log_like_one_pass(tmp_path, generated, monkeypatch):
    # Day-1 lines again near the end: late lines, in chunks that workers count from scratch
    # and that the main process must count again knowing what came before.
    lines = generated[:15000] + generated[2000:3000] + generated[15000:]  # several whole chunks of them
    one = tmp_path / "one"
    one.mkdir()
    single = run(one, [write_log(one / "access.log", lines)], chunk=1 << 30)
    assert single["lines"]["late"] > 0
    monkeypatch.setattr(ingest, "WORKERS", 3)
    run(tmp_path, [write_log(tmp_path / "access.log", lines)], chunk=64 * 1024)
    assert output_bytes(tmp_path) == output_bytes(one)


def downgrade_to_version_1(db) -> None:
    """Store the open days' visitors as version 1 did: one row per visitor, a signed integer."""
    conn = sqlite3.connect(db)
    site = conn.execute("SELECT day, visitors FROM open_site").fetchall()
    scoped = conn.execute("SELECT day, scope, visitors FROM open_scoped").fetchall()
    assert site and scoped
    conn.executescript(
        "DROP TABLE open_site; DROP TABLE open_scoped;"
        "CREATE TABLE open_site (day INTEGER NOT NULL, visitor INTEGER NOT NULL,"
        " PRIMARY KEY (day, visitor)) WITHOUT ROWID;"
        "CREATE TABLE open_scoped (day INTEGER NOT NULL, scope TEXT NOT NULL, visitor INTEGER NOT NULL,"
        " PRIMARY KEY (day, scope, visitor)) WITHOUT ROWID;"
    )

    def ints(blob):
        return [int.from_bytes(blob[i : i + 8], "big", signed=True) for i in range(0, len(blob), 8)]

    conn.executemany("INSERT INTO open_site VALUES (?, ?)", [(d, v) for d, blob in site for v in ints(blob)])
    conn.executemany(
        "INSERT INTO open_scoped VALUES (?, ?, ?)", [(d, sc, v) for d, sc, blob in scoped for v in ints(blob)]
    )
    conn.commit()
    conn.close()


def test_a_database_of_version_1_is_upgraded_and_counting_goes_on_exactly_once(tmp_path, generated):
    expected = clean_pass(tmp_path, generated)
    log = write_log(tmp_path / "access.log", generated[:9000])  # stops in the middle of a day
    run(tmp_path, [log])
    downgrade_to_version_1(tmp_path / "stats.sqlite3")
    write_log(log, generated)
    run(tmp_path, [log])
    assert output_bytes(tmp_path) == expected
    with sqlite3.connect(tmp_path / "stats.sqlite3") as conn:
        assert "visitor" not in {row[1] for row in conn.execute("PRAGMA table_info(open_site)")}


def test_a_day_salt_is_the_stored_one_or_drawn_for_the_run_and_stored_once(tmp_path):
    conn = store.connect(tmp_path / "salts.sqlite3")
    conn.execute("INSERT INTO salts (day, salt) VALUES ('2026-11-20', ?)", (b"s" * 32,))
    one, two = store.DaySalts(conn), store.DaySalts(conn)
    day20, day21 = iso_day_number("2026-11-20"), iso_day_number("2026-11-21")
    assert one.salt(day20) == two.salt(day20) == b"s" * 32
    assert one.salt(day21) == one.salt(day21) != two.salt(day21)  # each run draws its own secret
    assert len(one.salt(day21)) == 32
    assert store.hash_visitor(one.salt(day21), b"192.0.2.1", b"UA") != store.hash_visitor(
        one.salt(day21), b"192.0.2.2", b"UA"
    )
    assert store.hash_visitor(one.salt(day21), b"192.0.2.1", b"UA") != store.hash_visitor(
        two.salt(day21), b"192.0.2.1", b"UA"
    )
    store.store_salts(conn, one, [day21])
    store.store_salts(conn, one, [day21])
    assert conn.execute("SELECT salt FROM salts WHERE day = '2026-11-21'").fetchone() == (one.salt(day21),)
    with pytest.raises(RuntimeError, match="changed during the run"):
        store.store_salts(conn, two, [day21])  # a run that hashed with another salt must not commit
    conn.close()


def test_running_again_on_the_same_logs_changes_no_byte(tmp_path):
    log = write_log(tmp_path / "access.log", KNOWN)
    run(tmp_path, [log])
    first = output_bytes(tmp_path)
    run(tmp_path, [log])
    assert output_bytes(tmp_path) == first


# --- privacy --------------------------------------------------------------------------------


def test_no_ip_or_user_agent_is_stored_or_published(tmp_path, generated):
    lines = generated + KNOWN[:3]
    log = write_log(tmp_path / "access.log", lines)
    run(tmp_path, [log])
    run(tmp_path, [write_log(tmp_path / "more.log", KNOWN)])
    secrets = set()
    for text in lines + KNOWN:
        if text.count('"') >= 6:
            ip, ua = loggen.parse_visitor(text)
            secrets.add(ip.encode())
            if len(ua) > 3:
                secrets.add(ua.encode())
    files = [p for p in tmp_path.rglob("*") if p.is_file() and not p.name.endswith(".log")]
    assert any(p.name == "stats.sqlite3" for p in files)
    for path in files:
        data = path.read_bytes()
        leaked = [s for s in secrets if s in data]
        assert not leaked, f"{path.name} contains {leaked[:3]}"
        assert b"Mozilla" not in data


def test_salts_and_visitor_hashes_of_ended_days_are_deleted(tmp_path):
    run(tmp_path, [write_log(tmp_path / "access.log", KNOWN)])
    with sqlite3.connect(tmp_path / "stats.sqlite3") as conn:
        assert [r[0] for r in conn.execute("SELECT day FROM salts")] == ["2026-11-21"]
        days = {r[0] for r in conn.execute("SELECT day FROM open_site UNION SELECT day FROM open_scoped")}
        assert days == {iso_day_number("2026-11-21")}  # only the open day keeps hashes
        assert conn.execute("SELECT visitors FROM counts WHERE day = '2026-11-20' AND scope = ''").fetchone() == (2,)


# --- hostile lines --------------------------------------------------------------------------


def test_hostile_lines_never_reach_the_json_unescaped_and_are_never_fatal(tmp_path):
    evil_ua = "<img src=x onerror=alert(1)>"
    hostile = [
        line("192.0.2.66", "21/Nov/2026:09:30:00", "GET /tin-tuc/<script>alert(1)</script>/ HTTP/1.1", 200, FIREFOX),
        line("192.0.2.66", "21/Nov/2026:09:30:01", 'GET /tin-tuc/x"onmouseover=alert(1)/ HTTP/1.1', 200, evil_ua),
        line("192.0.2.66", "21/Nov/2026:09:30:02", "GET /tin-tuc/bai-\udcff\udcfe/ HTTP/1.1", 200, "\udcff\udcfeUA"),
        line("192.0.2.66", "21/Nov/2026:09:30:03", "GET /" + "a" * 3_000_000 + "/ HTTP/1.1", 200, FIREFOX),
        "\x00\x01\x02 binary \udc80\udc81",
        line("192.0.2.66", "21/Nov/2026:09:30:04", "GET /rss.xml<svg> HTTP/1.1", 200, evil_ua),
        line("192.0.2.66", "21/Nov/2026:09:30:05", "GET /tin-tuc/an-toan/ HTTP/1.1", 200, evil_ua),
    ]
    snap = run(tmp_path, [write_log(tmp_path / "access.log", KNOWN + hostile)], chunk=1 << 20)
    raw = output_bytes(tmp_path)
    for bad in (b"<", b">", b"script", b"onerror", b"onmouseover", b"\xff", b"aaaaaaaa"):
        assert bad not in raw
    assert {item["url"] for item in snap["most_read"]} <= {
        "/tin-tuc/bai-mot/",
        "/tin-tuc/bai-hai/",
        "/tin-tuc/an-toan/",
    }
    assert snap["lines"]["lines"] == len(KNOWN) + len(hostile)
    assert snap["lines"]["malformed"] >= 2
