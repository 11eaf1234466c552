"""Measure what search finds on the synthetic corpus: precision of the first 10 results, recall of
quoted phrases and the bytes of each first query, in headless Chromium with the site's search.js on
Pagefind's own JS API (issue 23).

    .venv/bin/python -m bench.search_relevance [--count 2000]

Relevant articles are decided from the corpus's metadata (bench.corpus.article's facts): a place
query wants articles whose locality is the place; a campaign query, articles of the campaign; a
person, articles honouring them; a topic, articles with the tag. A quoted phrase wants every page
whose indexed text holds it (with its diacritics when typed with them, else folded). Each query is
asked as typed (with diacritics), folded, and both quoted. "Pagefind alone" is the same index
asked through pagefind.search(query) directly, the way search.js asked it before.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import statistics
import tempfile
import tomllib
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

from bench.bench_search import ROOT, index_corpus, wire_size
from bench.corpus import unit_word
from plugins.search.bundle import read_pf
from plugins.search.names import FILE as NAMES_FILE
from plugins.search.names import names_json
from thidua.vntext import fold, nfc

PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"></head><body>
<div id="td-search" data-strings='STRINGS'><form class="td-search__form" hidden><input id="td-search-query">
<details id="td-search-options"></details></form><div id="td-search-places"></div>
<p id="td-search-status"></p><ol id="td-search-results" hidden></ol><button id="td-search-more" hidden></button></div>
<script src="/search.js" data-pagefind="/pagefind/pagefind.js"></script></body></html>"""

# Answered, and the first results shown (their fragments fetched): the status is set before
# search.js asks for the fragments, and waiting for the network to be idle may return at once
# (the state was reached while Pagefind worked), so the fragments went uncounted.
DONE = """() => {
  const root = document.getElementById('td-search');
  return /Tìm thấy|Không tìm thấy/.test(document.getElementById('td-search-status').textContent)
    && document.getElementById('td-search-results').children.length >= Math.min(10, (root.tdResults || []).length);
}"""


def short(name: str) -> str:
    return name[len(unit_word(name)) :].strip()


def term(name: str, kind: str) -> SimpleNamespace:
    return SimpleNamespace(name=name, short_name=short(name), url=f"{kind}/{fold(name).replace(' ', '-')}/")


def names_articles(facts: list[dict]) -> list[SimpleNamespace]:
    """The articles as names.names_index reads them."""
    return [
        SimpleNamespace(
            localities=[term(f["district"], "dia-phuong"), term(f["province"], "dia-phuong")],
            campaigns=[term(c, "phong-trao") for c in f["campaigns"]],
        )
        for f in facts
    ]


def concepts(facts: list[dict]) -> list[tuple[str, str, set[str]]]:
    """Return (kind, name, relevant urls): places (by name, whatever their unit) whose names share
    common syllables, campaigns, people and topics, each found on enough articles to fill ten results."""
    by: dict[tuple[str, str], set[str]] = {}
    for f in facts:
        # A place is asked by its name without the unit word: every place of that name is meant
        # (search.js offers them all: "Phong Điền" is a district of Huế and one of Cần Thơ).
        by.setdefault(("place", short(f["district"])), set()).add(f["url"])
        for c in f["campaigns"]:
            by.setdefault(("campaign", c), set()).add(f["url"])
        for p in f["people"]:
            by.setdefault(("person", p), set()).add(f["url"])
        for t in f["tags"]:
            by.setdefault(("topic", t), set()).add(f["url"])
    syllables = Counter(s for f in facts for s in fold(f["text"]).split())
    places = [
        (kind, name)
        for kind, name in by
        if kind == "place" and len(short(name).split()) >= 2 and len(by[kind, name]) >= 3
    ]
    # the places whose syllables are the most common words: where syllable search goes wrong
    places.sort(key=lambda k: (-min(syllables[s] for s in fold(short(k[1])).split()), k[1]))
    chosen = places[:8]
    for kind, count in (("campaign", 3), ("person", 2), ("topic", 3)):
        found = sorted(
            (k for k in by if k[0] == kind and len(short(k[1]).split()) >= 2), key=lambda k: (-len(by[k]), k[1])
        )
        chosen += found[:count]
    return [(kind, name, by[kind, name]) for kind, name in chosen]


def words_of(text: str, folded: bool) -> str:
    text = re.sub(r"[^\w\s]", " ", nfc(text).lower())
    return " ".join((fold(text) if folded else text).split())


def holds_phrase(text: str, phrase: str) -> bool:
    """Return whether text holds the phrase: with its diacritics if it has any, else folded."""
    folded = phrase == fold(phrase)
    return f" {words_of(phrase, folded)} " in f" {words_of(text, folded)} "


def queries(facts: list[dict]) -> list[dict]:
    """Four queries per concept: as typed, folded, and each quoted."""
    rows = []
    for kind, name, relevant in concepts(facts):
        typed = short(name) if kind == "place" else name
        for text in (typed, fold(typed)):
            rows.append({"kind": kind, "query": text, "relevant": relevant, "quoted": False})
            holds = {f["url"] for f in facts if holds_phrase(f["text"], text)}
            if kind == "topic":  # a topic is what the tag says or what the text talks about
                rows[-1]["relevant"] = relevant | holds
            rows.append({"kind": kind, "query": f'"{text}"', "relevant": holds, "quoted": True})
    return rows


def fragment_urls(site: Path) -> dict[str, str]:
    """Return Pagefind's page id → url, read from the fragments."""
    import json

    urls = {}
    for path in (site / "pagefind" / "fragment").iterdir():
        urls[path.name.removesuffix(".pf_fragment")] = json.loads(read_pf(path))["url"]
    return urls


def ask(browser, base: str, site: Path, query: str, ids: dict[str, str]) -> dict:
    """Ask one query as a first query in a fresh browser context; return what it found and cost."""
    from urllib.parse import urlencode

    context = browser.new_context()
    page = context.new_page()
    fetched: list[str] = []
    # Paths only: the files are on disk, and reading a response's body races the context's end.
    page.on("request", lambda request: fetched.append(request.url.removeprefix(base)))
    page.goto(f"{base}/q.html?" + urlencode({"q": query}))
    page.wait_for_function(DONE, timeout=120_000)
    ours = page.evaluate("(document.getElementById('td-search').tdResults || []).map(r => r.id)")
    mine = list(fetched)  # what search.js fetched, before Pagefind alone asks the same page
    before = page.evaluate(
        "async q => { const p = await import('/pagefind/pagefind.js');"
        " return (await p.search(q)).results.map(r => r.id); }",
        query,
    )
    context.close()
    kinds: Counter = Counter()
    for path in dict.fromkeys(p for p in mine if p.startswith("/pagefind/")):
        kinds[kind_of(path)] += wire_size(site, path)
    return {
        "ours": [ids.get(i, i) for i in ours],
        "before": [ids.get(i, i) for i in before],
        "bytes": sum(kinds.values()),
        "kinds": kinds,
    }


LIMIT = 300_000  # the "at most 300 KB" for a first query
PARTS = ("fixed", "metadata", "filters", "index", "fragments")
KINDS = {"/fragment/": "fragments", "/index/": "index", "/filter/": "filters", ".pf_meta": "metadata"}


def kind_of(path: str) -> str:
    """Return what a bundle file is for: the ten results, the words asked, the filters, or the fixed rest."""
    return next((kind for part, kind in KINDS.items() if part in path), "fixed")


def precision(found: list[str], relevant: set[str]) -> float:
    top = found[:10]
    return sum(url in relevant for url in top) / min(10, len(relevant)) if relevant else 1.0


def recall(found: list[str], relevant: set[str]) -> float:
    return len(set(found) & relevant) / len(relevant) if relevant else 1.0


def main(argv=None) -> None:
    from tests.support import chromium, serve

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="bundle into DIR and keep it; a later run with the same DIR and count reuses it",
    )
    parser.add_argument(
        "--js",
        type=Path,
        default=ROOT / "theme/static/js/search.js",
        help="the search.js to measure (e.g. an older one)",
    )
    args = parser.parse_args(argv)
    strings = tomllib.loads((ROOT / "theme/strings/vi.toml").read_text(encoding="utf-8"))["search_ui"]
    import json

    with contextlib.ExitStack() as stack:
        site = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        site.mkdir(parents=True, exist_ok=True)
        facts: list[dict] = []
        reuse = (site / "pagefind" / "pagefind-entry.json").is_file()
        _, seconds = index_corpus(args.count, site, None, facts, bundle=not reuse)
        if not reuse:
            print(f"search index of {args.count} articles built in {seconds:.1f} s (Pagefind, shards, merge, re-cut)")
        (site / "pagefind" / NAMES_FILE).write_text(names_json(names_articles(facts)), encoding="utf-8")
        (site / "search.js").write_bytes(args.js.read_bytes())
        data = json.dumps(strings, ensure_ascii=False).replace("'", "&#39;")
        (site / "q.html").write_text(PAGE.replace("STRINGS", data), encoding="utf-8")
        ids = fragment_urls(site)
        rows = queries(facts)
        with serve(site) as base, chromium() as browser:
            for row in rows:
                row.update(ask(browser, base, site, row["query"], ids))
    print(f"{args.count} articles, {len(rows)} queries\n")
    print(
        "| kind | query | relevant | P@10 ours | P@10 Pagefind alone | recall ours | recall alone | first query "
        f"| of which {' / '.join(PARTS)} (KiB) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['kind']} | `{r['query']}` | {len(r['relevant'])} | {precision(r['ours'], r['relevant']):.2f} "
            f"| {precision(r['before'], r['relevant']):.2f} | {recall(r['ours'], r['relevant']):.2f} "
            f"| {recall(r['before'], r['relevant']):.2f} | {r['bytes'] / 1024:.0f} KiB "
            f"| {' / '.join(format(r['kinds'][k] / 1024, '.0f') for k in PARTS)} |"
        )
    plain = [r for r in rows if not r["quoted"]]
    quoted = [r for r in rows if r["quoted"]]
    places = [r for r in plain if r["kind"] == "place"]
    print("\n| measure | ours | Pagefind alone |\n| --- | --- | --- |")
    for label, subset, fn, agg in (
        ("precision@10, unquoted queries (mean)", plain, precision, statistics.mean),
        ("precision@10, place queries (lowest)", places, precision, min),
        ("recall of quoted phrases (mean)", quoted, recall, statistics.mean),
        ("recall of quoted phrases (lowest)", quoted, recall, min),
    ):
        ours = agg(fn(r["ours"], r["relevant"]) for r in subset)
        alone = agg(fn(r["before"], r["relevant"]) for r in subset)
        print(f"| {label} | {ours:.2f} | {alone:.2f} |")
    sizes = [r["bytes"] for r in rows]
    print(
        f"| first query, bytes (median / largest) | {statistics.median(sizes) / 1024:.0f} / {max(sizes) / 1024:.0f} KiB | |"
    )
    print(f"| first queries above {LIMIT:,} bytes | {sum(size > LIMIT for size in sizes)} of {len(sizes)} | |")


if __name__ == "__main__":
    main()
