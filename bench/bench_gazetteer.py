"""Time the resolution of Localities for 10,000 synthetic articles drawn from the gazetteer.

Run from the project root: ``.venv/bin/python bench/bench_gazetteer.py``. The corpus is
deterministic (seeded). "cold" builds the index from data/ without any cache; "pickle" loads
it from the on-disk cache; "warm" reuses the in-memory index.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
import unicodedata
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from thidua.gazetteer import load_gazetteer  # noqa: E402
from thidua.gazetteer.resolve import parse  # noqa: E402
from thidua.gazetteer.store import _load, build_gazetteer  # noqa: E402

DATES = [date(2023, 3, 1), date(2024, 11, 20), date(2025, 3, 15), date(2025, 9, 2)]


def spellings(unit) -> list[str]:
    """Return a few ways editors write a unit (with its province for context)."""
    return [
        unit.name,
        unit.short_name,
        unicodedata.normalize("NFD", unit.name),
        "  " + unit.name.upper() + " ",
    ]


def corpus(gaz, count: int, seed: int = 2025) -> list[tuple[list[str], date]]:
    """Return count (localities, date) pairs drawn deterministically from the gazetteer."""
    rng = random.Random(seed)
    units = sorted((u for u in gaz.units.values() if not u.is_place), key=lambda u: u.id)
    articles = []
    for _ in range(count):
        day = rng.choice(DATES)
        alive = [u for u in rng.sample(units, 40) if u.valid_on(day)] or units[:1]
        names = []
        for u in alive[: rng.randint(1, 3)]:
            names.append(rng.choice(spellings(u)) + f" ({u.code})" * (u.level == 3))
            province = gaz.province_of(u)
            if province is not u:
                names.append(rng.choice(spellings(province)))
        articles.append((names, day))
    return articles


def run(gaz, articles) -> tuple[float, float, int]:
    """Resolve every article; return wall and CPU seconds and the number of problems."""
    start, cpu = time.perf_counter(), time.process_time()
    problems = sum(len(gaz.resolve(names, day).problems) for names, day in articles)
    return time.perf_counter() - start, time.process_time() - cpu, problems


def main() -> None:
    """Print cold, pickle-cache and warm timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args()
    data = ROOT / "data"

    start = time.perf_counter()
    gaz = build_gazetteer(data)
    build = time.perf_counter() - start
    articles = corpus(gaz, args.articles)
    names = sum(len(n) for n, _ in articles)

    cache = Path(tempfile.mkdtemp(prefix="bench-gazetteer-"))
    try:
        _load.cache_clear()
        start = time.perf_counter()
        load_gazetteer(data, cache)  # writes the pickle
        write = time.perf_counter() - start
        _load.cache_clear()
        start = time.perf_counter()
        cached = load_gazetteer(data, cache)
        read = time.perf_counter() - start
    finally:
        shutil.rmtree(cache)

    parse.cache_clear()
    cold, cold_cpu, problems = run(cached, articles)
    warm, warm_cpu, _ = run(cached, articles)
    print(f"{args.articles} articles, {names} localities, {problems} problems")
    print(f"index build from data/ (no cache):     {build:.3f} s")
    print(f"index build + pickle write:            {write:.3f} s")
    print(f"index load from pickle cache:          {read:.3f} s")
    print(f"resolve, first pass (cold caches):     {cold:.3f} s (CPU {cold_cpu:.3f} s)")
    print(f"resolve, second pass (warm caches):    {warm:.3f} s (CPU {warm_cpu:.3f} s)")
    print(f"total added to a build, cached index:  {read + cold:.3f} s")


if __name__ == "__main__":
    main()
