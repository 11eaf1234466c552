"""`make serve` as an editor sees it: seconds from saving an article to its new text being served.

    .venv/bin/python -m bench.bench_preview [--size 1000] [--runs 3]

Generates the corpus (bench/corpus.py) into bench/work/preview-<size>/, starts the preview server
(thidua/preview_server, the live-reload loop of `make serve`) in its own process, waits for the
first build, then edits the newest article: a paragraph added to its body (polled on its page)
and a new title (polled on the home page, whose list shows it). Each time is from the write to
the first HTTP response holding the new text, live-reload's file watcher included.
"""

import argparse
import html
import json
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.corpus import build_overrides, generate

ROOT = Path(__file__).resolve().parents[1]
SERVER = """
from pathlib import Path
from thidua.preview_server import serve_with_livereload
serve_with_livereload(Path({root!r}), port={port}, host="127.0.0.1", output=Path({output!r}), overrides={overrides!r})
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def seconds_until(url: str, text: str, limit: float = 900) -> float:
    """Seconds from now until the page at url holds text (polled every 50 ms)."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if text in fetch(url):
            return time.monotonic() - start
        time.sleep(0.05)
    raise TimeoutError(f"{text!r} never appeared on {url}")


def newest_article(content: Path) -> tuple[Path, str]:
    """Return the article with the latest Date and its title (the first card of the home page)."""
    found = []
    for path in content.rglob("*.md"):
        head = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
        date, title = re.search(r"^Date: (.+)$", head, re.M), re.search(r"^Title: (.+)$", head, re.M)
        if date and title:
            found.append((date.group(1), str(path), title.group(1)))
    date, path, title = max(found)
    return Path(path), title


def page_of(article: Path, output: Path, title: str) -> str:
    """Return the site path of an article's page: from its Slug, else the page whose heading is the title."""
    slug = re.search(r"^Slug: (.+)$", article.read_text(encoding="utf-8").split("\n\n", 1)[0], re.M)
    if slug:
        return f"/tin-tuc/{slug.group(1).strip()}/"
    for page in sorted((output / "tin-tuc").glob("*/index.html")):
        if re.search(r"<h1[^>]*>\s*" + re.escape(html.escape(title)), page.read_text(encoding="utf-8")):
            return "/" + page.parent.relative_to(output).as_posix() + "/"
    raise LookupError(title)


def measure(size: int, runs: int) -> dict:
    work = ROOT / "bench/work" / f"preview-{size}"
    shutil.rmtree(work, ignore_errors=True)
    content = generate(size, work)
    output = work / "output"
    overrides = build_overrides(work, content)
    port = free_port()
    script = SERVER.format(
        root=str(ROOT),
        port=port,
        output=str(output),
        overrides=overrides,
    )
    log = (work / "server.log").open("w")
    server = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        article, title = newest_article(content)
        first = seconds_until(base + "/", title)
        body, titles = [], []
        for run in range(1, runs + 1):
            url = base + page_of(article, output, title)  # the slug follows the title
            marker = f"Đoạn đo thời gian xem trước số {run}."
            article.write_text(article.read_text(encoding="utf-8") + f"\n{marker}\n", encoding="utf-8")
            body.append(seconds_until(url, marker))
            time.sleep(1)  # let the watcher settle
            new_title = f"{title} (sửa lần {run})"
            text = article.read_text(encoding="utf-8")
            article.write_text(re.sub(r"^Title: .+$", f"Title: {new_title}", text, count=1, flags=re.M), "utf-8")
            titles.append(seconds_until(base + "/", new_title))
            title = new_title
            time.sleep(1)
        return {
            "size": size,
            "first_build": first,
            "body_edit": body,
            "title_edit": titles,
            "peak_rss_mb": peak_rss_mb(server.pid),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def peak_rss_mb(pid: int) -> float | None:
    """The peak resident memory of a running process (Linux's VmHWM), in MB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) / 1024 if found else None


HUGO_TITLE = re.compile(r'^title = ".*"$', re.M)


def measure_hugo(binary: str, size: int, runs: int) -> dict:
    """`hugo server` on the same corpus, the same two edits: the anchor of the editor's loop."""
    from bench.run import to_hugo

    work = ROOT / "bench/work" / f"preview-{size}"
    content = generate(size, work)
    site = work / "hugo"
    to_hugo(content, site)
    article, title = newest_article(content)
    page = site / "content/tin-tuc" / article.name
    slug = re.search(r'^slug = "(.+)"$', page.read_text(encoding="utf-8"), re.M).group(1)
    port = free_port()
    command = [binary, "server", "--source", str(site), "--bind", "127.0.0.1", "--port", str(port), "--quiet"]
    log = (work / "hugo-server.log").open("w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        first = seconds_until(base + "/", html.escape(title, quote=False))
        body, titles = [], []
        for run in range(1, runs + 1):
            marker = f"Đoạn đo thời gian xem trước số {run}."
            page.write_text(page.read_text(encoding="utf-8") + f"\n{marker}\n", encoding="utf-8")
            body.append(seconds_until(f"{base}/tin-tuc/{slug}/", marker))
            time.sleep(1)
            new_title = f"{title} (sửa lần {run})"
            text = page.read_text(encoding="utf-8")
            line = f"title = {json.dumps(new_title, ensure_ascii=False)}"
            page.write_text(HUGO_TITLE.sub(line.replace("\\", "\\\\"), text, 1), encoding="utf-8")
            # Hugo's home page lists sections; its article list is the section's page.
            titles.append(seconds_until(base + "/tin-tuc/", html.escape(new_title, quote=False)))
            title = new_title
            time.sleep(1)
        return {"size": size, "first_build": first, "body_edit": body, "title_edit": titles}
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    result = measure(args.size, args.runs)
    print(f"preview_server, {args.size} articles: first build served after {result['first_build']:.1f} s")
    for what in ("body_edit", "title_edit"):
        samples = result[what]
        print(f"  {what}: median {statistics.median(samples):.2f} s ({', '.join(f'{s:.2f}' for s in samples)})")


if __name__ == "__main__":
    main()
