"""Measure the Pagefind index and the bytes one first query downloads, on 10,000 synthetic articles.

Run from the project root: ``.venv/bin/python bench/bench_search.py [--count 10000]``. Articles come
from bench.corpus (deterministic, fictional), are rendered as simple pages shaped like our article
template, go through plugins/search (the same markup and folded copy as a real build) and are
indexed with the Pagefind Python API. The bundle is then served on loopback and the search page's
first query ("dong ha": Pagefind's JS, WebAssembly, entry, metadata, filter and index chunks, and
the fragments of the ten results shown) is run in headless Chromium, recording every response.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import html
import random
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import markdown

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT))

from bench.corpus import SEED, article, load_places  # noqa: E402
from search.records import Record, prepare_page  # noqa: E402
from vntext import format_date_vi  # noqa: E402

PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head><body>
<nav>Trang chủ</nav><main><article class="td-article"><p><a href="/c/">{category}</a></p><h1>{title}</h1>
<p><time>{date}</time></p>{body}<footer><ul>{localities}</ul><ul>{campaigns}</ul></footer></article>
<section><h2>Các tin khác</h2></section></main><footer>Chân trang</footer></body></html>"""

QUERY_PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"></head><body><script type="module">
const pagefind = await import("/pagefind/pagefind.js");
await pagefind.options({excerptLength: 24});
const response = await pagefind.search(QUERY);
const shown = await Promise.all(response.results.slice(0, 10).map(r => r.data()));
document.title = "done " + response.results.length + " " + shown.length;
</script></body></html>"""


def header(text: str) -> tuple[dict, str]:
    head, _, body = text.partition("\n\n")
    values = {}
    for line in head.splitlines():
        if not line.startswith(" ") and ":" in line:
            key, _, value = line.partition(":")
            values[key.strip().lower()] = value.strip()
    return values, body


def render(index: int, rng: random.Random, places) -> tuple[str, Record]:
    """Return one synthetic article page and its index record."""
    _, text, _ = article(index, rng, places)
    meta, body = header(text)
    date = datetime.strptime(meta["date"], "%Y-%m-%d %H:%M")
    localities = [p.strip() for p in meta["localities"].split(";")]
    campaigns = [c.strip() for c in meta.get("campaigns", "").split(";") if c.strip()]
    e = html.escape
    page = PAGE.format(
        title=e(meta["title"]),
        category=e(meta["category"]),
        date=format_date_vi(date),
        body=markdown.markdown(body),
        localities="".join(f"<li><a href='/d/'>{e(x)}</a></li>" for x in localities),
        campaigns="".join(f"<li><a href='/p/'>{e(x)}</a></li>" for x in campaigns),
    )
    url = f"/tin-tuc/bai-{index:05d}/"
    record = Record(
        save_as=f"tin-tuc/bai-{index:05d}/index.html",
        url=url,
        category=meta["category"],
        provinces=[localities[-1]],
        year=str(date.year),
        date_text=format_date_vi(date),
        localities=localities,
        summary=meta.get("summary", ""),
        extra_words=campaigns,
    )
    return page, record


async def index_corpus(count: int, out: Path) -> int:
    """Write the prepared pages under out/pages and index them in one request; return their bytes."""
    from pagefind.index import PagefindIndex

    rng = random.Random(SEED)
    places = load_places()
    raw = 0
    pages = out / "pages"
    for number in range(count):
        page, record = render(number, rng, places)
        raw += len(page.encode())
        target = pages / record.save_as
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(prepare_page(page, record), encoding="utf-8")
    async with PagefindIndex(config={"force_language": "vi", "output_path": str(out / "pagefind")}) as index:
        await index.add_directory(str(pages))
    return raw


def measure_query(site: Path, query: str) -> list[tuple[str, int]]:
    """Return (path, bytes) of every response the first query needs."""
    from tests.support import chromium, serve

    (site / "q.html").write_text(QUERY_PAGE.replace("QUERY", repr(query)), encoding="utf-8")
    responses: list[tuple[str, int]] = []
    with serve(site) as base, chromium() as browser:
        page = browser.new_page()
        page.on("response", lambda r: responses.append((r.url.removeprefix(base), len(r.body()))))
        page.goto(f"{base}/q.html")
        page.wait_for_function("document.title.startsWith('done')", timeout=120_000)
        print(f"query {query!r}: {page.title()} (results, shown)")
    return [(path, size) for path, size in responses if path.startswith("/pagefind/")]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--query", action="append", help="repeatable; default: dong ha, hue, tuan giao")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        start = time.perf_counter()
        raw = asyncio.run(index_corpus(args.count, site))
        elapsed = time.perf_counter() - start
        bundle = site / "pagefind"
        files = [p for p in bundle.rglob("*") if p.is_file()]
        by_kind: dict[str, tuple[int, int]] = {}
        for path in files:
            kind = path.parent.name if path.parent != bundle else path.suffix or path.name
            n, size = by_kind.get(kind, (0, 0))
            by_kind[kind] = (n + 1, size + path.stat().st_size)
        print(f"{args.count} articles ({raw / 1e6:.1f} MB of HTML) indexed in {elapsed:.1f} s")
        print(f"bundle: {len(files)} files, {sum(s for _, s in by_kind.values()) / 1024:.0f} KiB")
        for kind, (n, size) in sorted(by_kind.items()):
            print(f"  {kind:<12} {n:>6} files {size / 1024:>9.1f} KiB")
        for query in args.query or ["dong ha", "hue", "tuan giao"]:
            report_query(site, query)


def report_query(site: Path, query: str) -> None:
    """Print the files and bytes the first query needs."""
    fetched = measure_query(site, query)
    total = sum(size for _, size in fetched)
    wire = 0
    for path, size in fetched:
        # Pagefind's index, fragment, filter, meta and wasm files are gzipped already; the JS and
        # JSON are text that the web server compresses (nginx gzip on, level 6 here).
        name = path.split("?")[0]
        if name.endswith((".js", ".json")):
            size = len(gzip.compress((site / name.lstrip("/")).read_bytes(), 6))
        wire += size
        print(f"  {size / 1024:>7.1f} KiB  {path}")
    print(
        f"first query downloads {len(fetched)} files: {total / 1024:.1f} KiB as served, "
        f"{wire / 1024:.1f} KiB with gzip on the JS/JSON (target < 300 KB)"
    )


if __name__ == "__main__":
    main()
