"""Measure the Pagefind index and the bytes one first query downloads, on 10,000 synthetic articles.

Run from the project root: ``.venv/bin/python -m bench.bench_search [--count 10000] [--query Q ...]
[--common-word-share S] [--common-word-locations K]`` (the last two default to a build's settings).

``.venv/bin/python -m bench.bench_search --edits --count 1000 [--runs 2]`` instead times the search
part of real builds of bench/corpus.py's corpus (pelicanconf.py as `make html` and the preview,
publishconf.py strict as `make publish`): the first build, one with nothing changed, then after one
body edit and one title edit, from the timings the search plugin logs at debug level.
Articles come from bench.corpus (deterministic, fictional) and are rendered as pages shaped like
theme/templates/article.html (same classes, labels, byline, honourees, document and term lists).
They then go through plugins/search exactly as in a real build: the same markup and folded copy
(records.py), the same Pagefind options, shards and merge, and the same re-cut of the index,
common words capped (shards.merge).
The bundle is served on loopback and each query runs as a first query in a fresh headless
Chromium (Pagefind's JS, worker, WebAssembly, entry, metadata and index chunks, and the fragments
of the ten results shown), recording every response.
"""

from __future__ import annotations

import argparse
import gzip
import html
import logging
import os
import random
import re
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import markdown

ROOT = Path(__file__).resolve().parents[1]

from bench.corpus import SEED, article, load_places  # noqa: E402
from plugins.search.records import Record, plain, prepare_page  # noqa: E402
from plugins.search.search import bundle_config, shard_folders, validate_settings  # noqa: E402
from plugins.search.shards import ensure_shards, merge, split_pages  # noqa: E402
from thidua.vntext import format_date_vi  # noqa: E402

# The place names of issue 7, then two queries made only of the corpus's most common syllables
# (the worst case: their postings cover nearly every article).
QUERIES = ["dong ha", "hue", "tuan giao", "thi dua", "cong dan tieu bieu"]

PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head><body>
<nav>Trang chủ</nav><main><article class="td-article"><header class="td-article__header">
<p class="td-article__category"><a href="/c/">{category}</a></p>
<h1 class="td-article__title">{title}</h1>
<p class="td-article__dates"><time datetime="{iso}">{date}</time>{modified}</p>
<p class="td-article__byline"><span class="td-article__author">{author}</span> · <span class="td-article__source">{source}</span></p>
</header>{figure}{document}<div class="td-article__body td-prose">{body}</div>{honourees}
<footer class="td-article__footer">{terms}</footer></article>
<section class="td-related"><h2 class="td-section-title">Các tin khác</h2></section></main>
<footer>Chân trang</footer></body></html>"""

QUERY_PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"></head><body><script type="module">
const pagefind = await import("/pagefind/pagefind.js");
await pagefind.options({excerptLength: 24});
const response = await pagefind.search(QUERY);
const shown = await Promise.all(response.results.slice(0, 10).map(r => r.data()));
document.title = "done " + response.results.length + " " + shown.length;
</script></body></html>"""


def header(text: str) -> tuple[dict, str]:
    """Return the header fields (indented continuation lines become a list) and the body."""
    head, _, body = text.partition("\n\n")
    values: dict = {}
    key = None
    for line in head.splitlines():
        if line.startswith(" ") and key:
            first = values[key] if isinstance(values[key], list) else [values[key]] if values[key] else []
            values[key] = [*first, line.strip()]
        elif ":" in line:
            key, _, value = line.partition(":")
            key = key.strip().lower()
            values[key] = value.strip()
    return values, body


def term_list(label: str, items: list[str], prefix: str) -> str:
    if not items:
        return ""
    e = html.escape
    links = "".join(
        f'<li class="td-terms__item"><a class="td-terms__link" href="/{prefix}/">{e(x)}</a></li>' for x in items
    )
    return f'<div class="td-terms"><h2 class="td-terms__label">{e(label)}</h2><ul class="td-terms__list">{links}</ul></div>'


def render(index: int, rng: random.Random, places, facts: dict | None = None) -> tuple[str, Record]:
    """Return one synthetic article page and its index record (localities by their full names, as
    the build resolves them); facts: see bench.corpus.article."""
    facts = {} if facts is None else facts
    _, text, _ = article(index, rng, places, facts)
    meta, body = header(text)
    e = html.escape
    date = datetime.strptime(meta["date"], "%Y-%m-%d %H:%M")
    localities = [facts["district"], facts["province"]]
    campaigns = [c.strip() for c in meta.get("campaigns", "").split(";") if c.strip()]
    tags = [t.strip() for t in meta.get("tags", "").split(",") if t.strip()]
    modified = ""
    if meta.get("modified"):
        changed = format_date_vi(datetime.strptime(meta["modified"], "%Y-%m-%d %H:%M"))
        modified = f'<span class="td-article__modified"> · Cập nhật: <time>{changed}</time></span>'
    figure = ""
    if meta.get("image"):
        figure = (
            f'<figure class="td-figure td-article__lead-image"><picture class="td-picture"><img alt="{e(meta["image_alt"])}">'
            f'</picture><figcaption class="td-figure__caption">{e(meta["image_caption"])}</figcaption></figure>'
        )
    document = ""
    if meta.get("document_type"):
        rows = "".join(
            f'<div class="td-document__row"><dt class="td-document__key">{label}</dt><dd class="td-document__value">{e(meta[key])}</dd></div>'
            for key, label in [
                ("document_number", "Số"),
                ("document_type", "Loại văn bản"),
                ("document_issuer", "Cơ quan ban hành"),
                ("document_signer", "Người ký"),
                ("document_date", "Ngày ban hành"),
            ]
            if meta.get(key)
        )
        raw = meta.get("recipients")
        recipients = raw if isinstance(raw, list) else [raw] if raw else []
        document = (
            f'<aside class="td-document"><h2 class="td-document__heading">Văn bản: {e(meta["document_type"])}</h2>'
            f'<dl class="td-document__list">{rows}</dl><h3 class="td-document__subheading">Nơi nhận</h3>'
            f'<ul class="td-document__recipients">{"".join(f"<li>{e(r)}</li>" for r in recipients)}</ul></aside>'
        )
    honourees = ""
    if isinstance(meta.get("honourees"), list):
        items = ""
        for line in meta["honourees"]:
            name, title, place = (part.strip() for part in line.split("|"))
            items += (
                f'<li class="td-honourees__item"><span class="td-honourees__name">{e(name)}</span> '
                f'<span class="td-honourees__title">{e(title)}</span> '
                f'<span class="td-honourees__meta"><a href="/d/">{e(place)}</a></span></li>'
            )
        honourees = (
            '<section class="td-article__honourees"><h2 id="td-honourees-heading">Được tôn vinh</h2>'
            f'<ul class="td-honourees">{items}</ul><p><a href="/bang-vang/">Xem bảng vàng</a></p></section>'
        )
    page = PAGE.format(
        title=e(meta["title"]),
        category=e(meta["category"]),
        iso=date.isoformat(),
        date=format_date_vi(date),
        modified=modified,
        author=e(meta.get("author", "")),
        source=e(meta.get("source", "")),
        figure=figure,
        document=document,
        body=markdown.markdown(body),
        honourees=honourees,
        terms=term_list("Địa phương", localities, "dia-phuong")
        + term_list("Phong trào thi đua", campaigns, "phong-trao")
        + term_list("Từ khóa", tags, "the"),
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


def index_corpus(
    count: int, out: Path, settings: dict | None = None, facts: list | None = None, bundle: bool = True
) -> tuple[int, float]:
    """Prepare the pages and bundle them into out/pagefind as a build does (shards in out/cache).

    Return the bytes of HTML rendered and the seconds the bundle took (Pagefind and the re-cut).
    facts: filled with each article's facts (bench.corpus.article), its url and its indexed text.
    bundle=False: only render the pages and fill facts (a bundle made earlier is asked again).
    """
    rng = random.Random(SEED)
    places = load_places()
    raw = 0
    pages = []
    for number in range(count):
        about: dict = {}
        page, record = render(number, rng, places, about)
        raw += len(page.encode())
        pages.append((record.save_as, prepare_page(page, record)))
        if facts is not None:
            body = page[page.index("<article") : page.index("</article>")]
            facts.append({**about, "url": record.url, "text": plain(body)})
    if not bundle:
        return raw, 0.0
    start = time.perf_counter()
    # By default a build's settings; a fresh shard cache, so every shard is indexed (a cold build).
    config = bundle_config(settings or {})
    groups = split_pages(pages, config["shard_pages"])
    folders = shard_folders(groups, config, out / "cache")
    shards = ensure_shards(groups, folders, config)
    merge(
        folders,
        shards,
        out / "pagefind",
        *(config[k] for k in ("chunk_bytes", "common_word_share", "common_word_locations")),
    )
    return raw, time.perf_counter() - start


def measure_query(site: Path, query: str) -> tuple[str, list[str]]:
    """Return the page title ("done <results> <shown>") and the path of every bundle file fetched."""
    from tests.support import chromium, serve

    (site / "q.html").write_text(QUERY_PAGE.replace("QUERY", repr(query)), encoding="utf-8")
    requests: list[str] = []
    with serve(site) as base, chromium() as browser:
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url.removeprefix(base)))
        page.goto(f"{base}/q.html")
        page.wait_for_function("document.title.startsWith('done')", timeout=120_000)
        title = page.title()
    return title, list(dict.fromkeys(path for path in requests if path.startswith("/pagefind/")))


def wire_size(site: Path, path: str) -> int:
    """Bytes on the wire of the file served at path: Pagefind's .pf_* and wasm files are gzipped
    already; the JS and JSON are text the web server compresses (nginx gzip on; level 6 here)."""
    file = site / path.split("?")[0].lstrip("/")
    if file.suffix in (".js", ".json"):
        return len(gzip.compress(file.read_bytes(), 6))
    return file.stat().st_size


def report_query(site: Path, query: str) -> dict:
    """Print the files and bytes the first query needs; return a summary row."""
    title, fetched = measure_query(site, query)
    results = int(title.split()[1])
    print(f"query {query!r}: {results} results")
    sizes = [(path, wire_size(site, path)) for path in fetched]
    for path, size in sizes:
        print(f"  {size / 1024:>7.1f} KiB  {path}")
    wire = sum(size for _, size in sizes)
    chunks = [size for path, size in sizes if "/index/" in path]
    fragments = [size for path, size in sizes if "/fragment/" in path]
    print(f"first query downloads {len(sizes)} files, {wire / 1024:.1f} KiB (target < 300 KB = 293.0 KiB)")
    return {
        "query": query,
        "results": results,
        "files": len(sizes),
        "total": wire,
        "fixed": wire - sum(chunks) - sum(fragments),
        "chunks": chunks,
        "fragments": sum(fragments),
    }


# --- The search part of a rebuild after one edit (--edits) ---

TIMINGS = {
    "pages": r"waited ([\d.]+) s for the article pages",
    "prepared": r"pages prepared in ([\d.]+) s",
    "shards": r"(\d+ of \d+) shards indexed again",
    "indexed": r"shards indexed again in ([\d.]+) s",
    "waited": r"the build waited ([\d.]+) s for the indexing process",
    "read": r"shards read in ([\d.]+) s",
    "words": r"words of (.+) merged again",
    "merged": r"merged and written in ([\d.]+) s",
    "published": r"index published in ([\d.]+) s",
}


class SearchLog(logging.Handler):
    """Keep what the search plugin logs (its timings are debug messages; search.py)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())

    def found(self) -> dict:
        """The first of each timing; the last "index published" (the indexing process, when it merged,
        logs its own first: the build process's is what the build adds at its end)."""
        text = "\n".join(self.lines)
        found = {name: re.findall(pattern, text) for name, pattern in TIMINGS.items()}
        return {
            name: (values[-1] if name == "published" else values[0]) if values else "" for name, values in found.items()
        }


def retitle(content: Path, round_number: int) -> None:
    """Change the title of the article corpus.edit_one edits (its Slug stays: the contract's URL)."""
    first = sorted(content.rglob("*.md"))[0]
    text = first.read_text(encoding="utf-8")
    first.write_text(
        re.sub(r"^Title: (.+)$", rf"Title: \1 (sửa lần {round_number})", text, count=1, flags=re.M), "utf-8"
    )


def measure_edits(count: int, settings_file: str, runs: int) -> list[dict]:
    """Build the corpus with settings_file as `make html`/`make publish` do (in this process, caches in
    bench/work), then rebuild after nothing, after one body edit and after one title edit; return each
    build's seconds and what the search plugin logged of its own. The preview's builds share one
    process (`make serve`); each publish build starts without what the search kept in memory."""
    from pelican import Pelican
    from pelican.log import LimitFilter
    from pelican.settings import read_settings

    import plugins.search.search as search_module
    import plugins.search.shards as shards_module
    from bench.corpus import build_overrides, edit_one, generate

    work = ROOT / "bench/work" / f"search-{Path(settings_file).stem}-{count}"
    shutil.rmtree(work, ignore_errors=True)
    content = generate(count, work)
    shutil.copytree(ROOT / "content/pages", content / "pages")  # the footer links to them (strict)
    overrides = {**build_overrides(work, content), "OUTPUT_PATH": str(work / "output")}
    overrides["CONTENT_CHECKS_STRICT"] = settings_file == "publishconf.py"
    log = SearchLog()
    family = logging.getLogger("plugins.search")
    family.addHandler(log)
    family.setLevel(logging.DEBUG)  # inherited by the indexing process, which hands its lines back
    rows = []
    steps = [("first build", None), ("nothing changed", None)]
    for run in range(1, runs + 1):
        steps += [
            (f"body edit {run}", lambda n=run: edit_one(content, n)),
            (f"title edit {run}", lambda n=run: retitle(content, n)),
        ]
    for step, change in steps:
        if change:
            change()
        log.lines.clear()
        LimitFilter._raised_messages.clear()  # Pelican drops a message it logged before (the same figures)
        if settings_file == "publishconf.py":  # `make publish` runs in a fresh process: nothing kept in memory
            search_module._merged.clear()
            shards_module._loaded.clear()
        start = time.perf_counter()
        Pelican(read_settings(str(ROOT / settings_file), override=overrides)).run()
        rows.append({"settings": settings_file, "step": step, "build": time.perf_counter() - start, **log.found()})
    family.removeHandler(log)
    return rows


def print_edits(rows: list[dict]) -> None:
    """One row per build; "search part" is what the build waits for at its end (the indexing process,
    then reading shards, merging and writing: publish_index)."""
    print(
        "| settings | step | build (s) | search part (s) | indexing process: waited for pages / prepared / "
        "shards indexed again (s) | build: waited for it / shards read / merged and written (s) | words merged again |"
    )
    print("| --- | --- | ---: | ---: | --- | --- | --- |")
    for r in rows:
        part = float(r["waited"] or 0) + float(r["published"] or 0)
        print(
            f"| {r['settings']} | {r['step']} | {r['build']:.2f} | {part:.2f} | {r['pages']} / {r['prepared']} "
            f"/ {r['shards']}: {r['indexed']} | {r['waited']} / {r['read']} / {r['merged']} | {r['words']} |"
        )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument(
        "--edits",
        action="store_true",
        help="instead: time the search part of `make html` and `make publish` rebuilds after one edit",
    )
    parser.add_argument("--runs", type=int, default=2, help="with --edits: body and title edits of each")
    parser.add_argument(
        "--settings", action="append", help="with --edits: pelicanconf.py and/or publishconf.py (default: both)"
    )
    parser.add_argument("--query", action="append", help=f"repeatable; default: {', '.join(QUERIES)}")
    parser.add_argument(
        "--common-word-share",
        type=lambda v: None if v == "none" else float(v),
        default=argparse.SUPPRESS,
        metavar="S|none",
        help="SEARCH_COMMON_WORD_SHARE (none: keep every position)",
    )
    parser.add_argument(
        "--common-word-locations", type=int, default=argparse.SUPPRESS, metavar="K", help="SEARCH_COMMON_WORD_LOCATIONS"
    )
    args = parser.parse_args(argv)
    if args.edits:
        os.environ.setdefault("PYTHONHASHSEED", "0")
        print_edits(
            [
                row
                for conf in args.settings or ("pelicanconf.py", "publishconf.py")
                for row in measure_edits(args.count, conf, args.runs)
            ]
        )
        return
    settings = {
        f"SEARCH_{name.upper()}": getattr(args, name)
        for name in ("common_word_share", "common_word_locations")
        if hasattr(args, name)
    }
    validate_settings(SimpleNamespace(settings=settings))
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        start = time.perf_counter()
        raw, bundling = index_corpus(args.count, site, settings)
        elapsed = time.perf_counter() - start
        bundle = site / "pagefind"
        files = [p for p in bundle.rglob("*") if p.is_file()]
        by_kind: dict[str, tuple[int, int]] = {}
        for path in files:
            kind = path.parent.name if path.parent != bundle else path.suffix or path.name
            n, size = by_kind.get(kind, (0, 0))
            by_kind[kind] = (n + 1, size + path.stat().st_size)
        print(
            f"{args.count} articles ({raw / 1e6:.1f} MB of HTML) staged and bundled in {elapsed:.1f} s "
            f"(Pagefind and the re-cut of its index: {bundling:.1f} s)"
        )
        print(f"settings: {bundle_config(settings)}")
        print(f"bundle: {len(files)} files, {sum(s for _, s in by_kind.values()) / 1024:.0f} KiB")
        for kind, (n, size) in sorted(by_kind.items()):
            print(f"  {kind:<12} {n:>6} files {size / 1024:>9.1f} KiB")
        rows = [report_query(site, query) for query in args.query or QUERIES]
    print("\n| query | results | files | downloaded | fixed | index chunks | 10 fragments |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        chunks = " + ".join(f"{size / 1024:.1f}" for size in row["chunks"])
        print(
            f'| "{row["query"]}" | {row["results"]} | {row["files"]} | **{row["total"] / 1024:.1f} KiB** '
            f"| {row['fixed'] / 1024:.1f} KiB | {chunks} KiB | {row['fragments'] / 1024:.1f} KiB |"
        )


if __name__ == "__main__":
    main()
