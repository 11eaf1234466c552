"""`make serve`: build, serve on localhost, rebuild on every save and reload the browser.

Every save is built incrementally (the same engine as `make html`) into a work tree beside the
served folder (`preview.work/` beside `preview/`); when the build succeeds, only the files it changed are brought
into the served folder (sync.py). A failed build never reaches the served folder, so the last
good site stays. Content errors do not fail a preview build; they are printed and shown as a
banner on the affected page (PREVIEW=True, never set when publishing). A save that changes only
articles' bodies takes the quick path (quick.py) instead of a whole build.
"""

import gc
import logging
from pathlib import Path

from pelican import signals

from thidua.clock import build_time

from . import quick
from .sync import bring_in, bring_in_files

logger = logging.getLogger(__name__)
WATCHED = ("content", "theme", "data", "plugins", "thidua", "pelicanconf.py")


def work_tree(output: Path) -> Path:
    """Return the folder the preview builds into, beside the served one."""
    return output.with_name(output.name + ".work")


class Preview:
    """One `make serve` session: each save is a quick update (quick.py) or a whole build."""

    def __init__(self, root: Path, output: Path, settings_file: str = "pelicanconf.py", overrides: dict | None = None):
        self.root, self.output, self.settings_file, self.overrides = root, output, settings_file, overrides
        self.kept: quick.Kept | None = None
        self.last = None  # "quick" or "whole": how the last save was built (for tests and the log)

    def build(self) -> bool:
        """Bring output up to date with the sources; return False (keeping the old site) on failure."""
        work = work_tree(self.output)
        if self.kept is not None:
            inputs = quick.stamps(self.kept.inputs)
            try:
                made = quick.quick_update(self.kept, inputs, work)
            except Exception:  # the quick path failed: a whole build decides
                logger.exception("preview_server: cập nhật nhanh lỗi, dựng lại toàn bộ")
                made = None
            if made is not None:
                copied = bring_in_files(work, self.output, made)
                logger.info("preview_server: quick update, %d files brought into %s", copied, self.output)
                self.last = "quick"
                return True
        from plugins.incremental.incremental import IncrementalWriter

        if self.kept is not None:
            # The last build's contents are freed before the next is read, and collected at once:
            # left to the next build's full collections, they are walked by each (3.5-6 s at 10k
            # instead of about 2; docs/performance.md).
            self.kept = None
            gc.collect()
        captured: list = []
        records: dict = {}

        def capture(generators):
            captured[:] = generators

        def capture_records(generator, writer=None):
            records.update(quick.records_while_frozen(generator))

        signals.all_generators_finalized.connect(capture)
        signals.article_writer_finalized.connect(capture_records)
        try:
            settings = build_settings(self.root, self.output, self.settings_file, self.overrides)
            inputs = quick.input_paths(self.root, settings, self.settings_file)
            before = quick.stamps(inputs)  # taken first: a save during the build is seen next time
            built = run_build(settings, self.output)
        finally:
            signals.all_generators_finalized.disconnect(capture)
            signals.article_writer_finalized.disconnect(capture_records)
        if built and captured:
            plan = IncrementalWriter.last.plan if IncrementalWriter.last is not None else []
            self.kept = quick.Kept(captured, before, build_time(settings), inputs=inputs, records=records, plan=plan)
        IncrementalWriter.last = None  # the plan is kept; the rest of the writer is garbage
        if self.kept is not None:  # after the pages are served: the next save need not wait for it
            bring_in_files(work, self.output, quick.warm_search(self.kept, work))
        self.last = "whole"
        return built


def build_settings(root: Path, output: Path, settings_file: str = "pelicanconf.py", overrides: dict | None = None):
    """Return the preview's settings: development ones, building into the work tree."""
    from pelican.settings import read_settings

    work = work_tree(output)
    return read_settings(
        str(root / settings_file),
        override={
            "PREVIEW": True,
            "CONTENT_CHECKS_STRICT": False,
            **(overrides or {}),
            "OUTPUT_PATH": str(work),
            "DELETE_OUTPUT_DIRECTORY": False,  # the work tree is kept: unchanged pages are not made again
        },
    )


def build_once(root: Path, output: Path, settings_file: str = "pelicanconf.py", overrides: dict | None = None) -> bool:
    """Build into the work tree and bring its changes into output; return False (keeping the old site) on failure."""
    return run_build(build_settings(root, output, settings_file, overrides), output)


def run_build(settings, output: Path) -> bool:
    """Run a whole build with these settings into the work tree and bring its changes into output."""
    from pelican import Pelican

    work = work_tree(output)
    try:
        Pelican(settings).run()
    except Exception:  # a broken template or plugin: keep serving the last good build
        logger.exception("preview_server: bản dựng lỗi, vẫn phục vụ bản dựng tốt gần nhất")
        return False
    copied, removed = bring_in(work, output, built_by(settings, work))
    logger.info("preview_server: %d files brought into %s, %d removed", copied, output, removed)
    return True


def built_by(settings, work: Path):
    """Return owned(path): whether a file of the work tree belongs to the build that just ended.

    The incremental engine's manifest lists the files this build made and INCREMENTAL_KEEP the
    ones other tools keep there; a page a failed build wrote and no later build made is neither.
    """
    from plugins.incremental import DEFAULTS
    from plugins.incremental.manifest import is_kept, load_manifest, manifest_path

    files = load_manifest(manifest_path(settings["CACHE_PATH"], str(work)))
    if files is None or not settings.get("INCREMENTAL_ENABLED", True):
        return lambda path: True  # no engine: everything in the work tree is this build's
    keep = settings.get("INCREMENTAL_KEEP", DEFAULTS["INCREMENTAL_KEEP"])
    return lambda path: path in files or is_kept(path, keep)


def serve_with_livereload(
    root: Path, port: int = 8000, host: str = "localhost", output: Path | None = None, overrides: dict | None = None
) -> None:
    """Serve output/ with live reload until interrupted."""
    from livereload import Server

    output = output or root / "preview"  # never the published output/, a symlink to the live release
    overrides = overrides or {}

    preview = Preview(root, output, overrides=overrides)

    def rebuild() -> None:
        preview.build()

    rebuild()
    output.mkdir(parents=True, exist_ok=True)  # served even when the first build failed
    server = Server()
    watched = [root / name for name in WATCHED if name != "content"] + [Path(overrides.get("PATH", root / "content"))]
    for path in watched:
        server.watch(str(path), rebuild, delay=0.3)
    print(f"Xem trước tại http://{host}:{port}/ (Ctrl+C để dừng)")
    server.serve(host=host, port=port, root=str(output), open_url_delay=None)
