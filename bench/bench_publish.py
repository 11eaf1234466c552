"""`make publish` as an editor sees it: seconds for a first publish, then for a publish after one edit.

    .venv/bin/python -m bench.bench_publish [--size 1000] [--runs 3]

Generates the corpus (bench/corpus.py) into bench/work/publish-<size>/ with the project's static
pages (the footer links to them), then calls `publishing.publish_site` as `invoke publish` does:
the strict build of the persistent tree, the release folder, the checks of what changed and the
switch of `output`. After the first publish, each run appends a sentence to one article
(`corpus.edit_one`) and publishes again. Wall and CPU seconds of this process and its children.
"""

import argparse
import os
import resource
import shutil
import statistics
import time
from pathlib import Path

from bench.corpus import build_overrides, edit_one, generate

ROOT = Path(__file__).resolve().parents[1]


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def corpus_build(work: Path, content: Path):
    """Return a build function for publish_site that builds the corpus, its caches kept in work/."""
    from pelican import Pelican
    from pelican.settings import read_settings

    def build(root: Path, target: Path, settings_file: str) -> str:
        overrides = {**build_overrides(work, content), "OUTPUT_PATH": str(target), "CONTENT_CHECKS_STRICT": True}
        settings = read_settings(str(root / settings_file), override=overrides)
        Pelican(settings).run()
        return settings["SITEURL"]

    return build


def timed(call) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    call()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def measure(size: int, runs: int) -> dict:
    from thidua.publishing import publish_site

    work = ROOT / "bench/work" / f"publish-{size}"
    shutil.rmtree(work, ignore_errors=True)  # the releases and the build tree are made inside it
    content = generate(size, work)
    shutil.copytree(ROOT / "content/pages", content / "pages")
    output = work / "output"
    build = corpus_build(work, content)

    def publish() -> None:
        publish_site(ROOT, output, "publishconf.py", build=build)

    first = timed(publish)
    edits = []
    for run in range(1, runs + 1):
        edit_one(content, run)
        edits.append(timed(publish))
    return {"size": size, "first": first, "edits": edits}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    found = measure(args.size, args.runs)
    wall, cpu = found["first"]
    print(f"make publish, {found['size']} articles: first publish {wall:.1f} s ({cpu:.1f} s CPU)")
    walls = [w for w, _ in found["edits"]]
    listed = ", ".join(f"{w:.2f} s ({c:.1f} s CPU)" for w, c in found["edits"])
    print(f"  after one edit: median {statistics.median(walls):.2f} s ({listed})")


if __name__ == "__main__":
    main()
