"""`make serve`: build, serve on localhost, rebuild on every save and reload the browser.

A failed rebuild never replaces the last good site: each build goes to a staging folder that
is swapped in only when it succeeds. Content errors do not fail a preview build; they are
printed and shown as a banner on the affected page (PREVIEW=True, never set when publishing).
"""

import logging
import shutil
import time
from pathlib import Path

logger = logging.getLogger(__name__)
WATCHED = ("content", "theme", "data", "plugins", "pelicanconf.py")


def build_once(root: Path, output: Path, settings_file: str = "pelicanconf.py", overrides: dict | None = None) -> bool:
    """Build into a staging folder and swap it in; return False (keeping the old site) on failure."""
    from pelican import Pelican
    from pelican.settings import read_settings

    staging = output.with_name(output.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    settings = read_settings(
        str(root / settings_file),
        override={"OUTPUT_PATH": str(staging), "PREVIEW": True, "CONTENT_CHECKS_STRICT": False, **(overrides or {})},
    )
    try:
        Pelican(settings).run()
    except Exception:  # a broken template or plugin: keep serving the last good build
        logger.exception("preview_server: bản dựng lỗi, vẫn phục vụ bản dựng tốt gần nhất")
        shutil.rmtree(staging, ignore_errors=True)
        return False
    swap(staging, output)
    return True


def swap(staging: Path, output: Path) -> None:
    """Replace output by staging with two renames (the server sees one or the other)."""
    previous = output.with_name(f"{output.name}.previous-{time.monotonic_ns()}")
    if output.exists():
        output.rename(previous)
    staging.rename(output)
    shutil.rmtree(previous, ignore_errors=True)


def serve_with_livereload(
    root: Path, port: int = 8000, host: str = "localhost", output: Path | None = None, overrides: dict | None = None
) -> None:
    """Serve output/ with live reload until interrupted."""
    from livereload import Server

    output = output or root / "output"
    overrides = overrides or {}

    def rebuild() -> None:
        build_once(root, output, overrides=overrides)

    rebuild()
    server = Server()
    watched = [root / name for name in WATCHED if name != "content"] + [Path(overrides.get("PATH", root / "content"))]
    for path in watched:
        server.watch(str(path), rebuild, delay=0.3)
    print(f"Xem trước tại http://{host}:{port}/ (Ctrl+C để dừng)")
    server.serve(host=host, port=port, root=str(output), open_url_delay=None)
