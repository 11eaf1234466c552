"""`make serve`: the live-reload server rebuilds after an edit and serves only what changed anew (bounded in time)."""

import socket
import subprocess
import sys
import time
import urllib.request

from tests.support import PINNED, ROOT, write_article

ARTICLE = """Title: {title}
Date: 2024-05-01
Category: Hội nghị tổng kết
Localities: Hậu Giang
Slug: tin-xem-truoc

Bài thử nghiệm hư cấu.
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(predicate, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def test_an_edit_is_rebuilt_and_served(tmp_path):
    content = tmp_path / "content"
    article = write_article(content, "a.md", ARTICLE.format(title="Bản đầu tiên (hư cấu)"))
    # Another category and place: no related-news link shows the edited title on its page.
    other = (
        ARTICLE.format(title="Bài không sửa (hư cấu)")
        .replace("Slug: tin-xem-truoc", "Slug: tin-khong-sua")
        .replace("Hội nghị tổng kết", "Phát động phong trào")
        .replace("Hậu Giang", "Cà Mau")
    )
    write_article(content, "b.md", other)
    untouched = tmp_path / "output/tin-tuc/tin-khong-sua/index.html"
    port = free_port()
    overrides = {**PINNED, "PATH": str(content), "CACHE_PATH": str(tmp_path / "cache")}
    script = (
        "from pathlib import Path; from thidua.preview_server import serve_with_livereload;"
        f"serve_with_livereload(Path({str(ROOT)!r}), port={port}, host='127.0.0.1',"
        f" output=Path({str(tmp_path / 'output')!r}), overrides={overrides!r})"
    )
    server = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/tin-tuc/tin-xem-truoc/"
    try:
        assert wait_for(lambda: "Bản đầu tiên" in fetch(url), 30), "the preview never served the first build"
        before = untouched.stat()
        article.write_text(ARTICLE.format(title="Bản đã sửa (hư cấu)"), encoding="utf-8")
        assert wait_for(lambda: "Bản đã sửa" in fetch(url), 30), "the edit was not rebuilt"
        assert "livereload" in fetch(url)  # the reload script is injected for the browser
        after = untouched.stat()  # a page the edit did not change is neither rendered nor copied
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    finally:
        server.terminate()
        server.wait(timeout=10)
