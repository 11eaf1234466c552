"""Benchmark: count one generated access log with visitor_stats and with GoAccess; print both.

    .venv/bin/python bench/bench_stats.py [--lines 1000000] [--keep DIR]

Both tools read the same plain-text file; GoAccess runs with its default panels
(`goaccess FILE --log-format=COMBINED -o report.json`). Our figure is a full
`run_stats` from an empty database: parsing, aggregation, the SQLite commits and the
snapshot. Runs alternate between the tools; the best of --repeat runs is reported, as
wall-clock and as CPU time (the fairer figure on a busy machine).
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import loggen

ROOT = Path(__file__).resolve().parents[1]


def timed(command: list[str]) -> tuple[float, float]:
    """Run a command; return (wall seconds, CPU seconds of it and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def time_ours(log: Path, work: Path) -> tuple[float, float]:
    """Time one full run_stats from an empty database (parse, aggregate, commit, snapshot)."""
    db = work / "bench.sqlite3"
    if db.exists():
        db.unlink()
    code = (
        "import sys; from plugins.visitor_stats.cli import run_stats; "
        f"sys.exit(run_stats([{str(log)!r}], {str(db)!r}, {str(work / 'site')!r}))"
    )
    return timed([sys.executable, "-c", code])


def time_goaccess(log: Path, work: Path, goaccess: str) -> tuple[float, float]:
    """Time GoAccess on the same file with its default panels."""
    return timed([goaccess, str(log), "--log-format=COMBINED", "--no-progress", "-o", str(work / "goaccess.json")])


def _count_lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))


def describe_load(load: tuple) -> str:
    return " ".join(f"{x:.2f}" for x in load)


def describe(name: str, lines: int, runs: list) -> str:
    wall = min(w for w, _ in runs)
    cpu = min(c for _, c in runs)
    each = ", ".join(f"{w:.2f}/{c:.2f}" for w, c in runs)
    return (
        f"{name}: best wall {wall:.2f} s = {lines / wall:,.0f} lines/s; best CPU {cpu:.2f} s = {lines / cpu:,.0f} lines/s"
        f"  (runs, wall/CPU s: {each})"
    )


def main(argv=None) -> int:
    """Generate the log, run both tools, print lines per second."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--goaccess", default=shutil.which("goaccess") or "/usr/bin/goaccess")
    parser.add_argument("--keep", help="folder to keep the log and outputs in")
    args = parser.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-stats-"))
    work.mkdir(parents=True, exist_ok=True)
    log = work / "access.log"
    if not log.exists() or _count_lines(log) != args.lines:
        loggen.main(["--lines", str(args.lines), "--days", str(args.days), str(log)])
    size = log.stat().st_size
    ours, theirs = [], []
    load_before = os.getloadavg()
    for _ in range(args.repeat):  # interleaved, so both see the same machine load
        ours.append(time_ours(log, work))
        if Path(args.goaccess).exists():
            theirs.append(time_goaccess(log, work, args.goaccess))
    print(f"log: {args.lines} lines, {size / 1e6:.1f} MB, {args.days} days ({log})")
    # Wall times depend on free cores (visitor_stats runs one worker process per core).
    print(f"load average (1, 5, 15 min): {describe_load(load_before)} before, {describe_load(os.getloadavg())} after")
    print(describe("visitor_stats", args.lines, ours))
    if theirs:
        print(describe("goaccess     ", args.lines, theirs))
        wall = min(w for w, _ in theirs) / min(w for w, _ in ours)
        cpu = min(c for _, c in theirs) / min(c for _, c in ours)
        print(f"ratio: {wall:.2f}x GoAccess's throughput (wall clock), {cpu:.2f}x (CPU time)")
        pairs = sorted(g[0] / o[0] for o, g in zip(ours, theirs, strict=True))
        print(f"wall ratio of each alternated pair: {', '.join(f'{r:.2f}x' for r in pairs)}")
    else:
        print("goaccess: not installed")
    if not args.keep:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
