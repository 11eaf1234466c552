"""Render the fingerprinted pages in two processes: half here, half in a forked copy of the build.

On a 2-core machine the build process renders pages one after the other while the second core
waits for the feed and search processes. Once the contents are final (Pelican asks for the
writer), a fork has every article and setting already; it runs the page generators (INCREMENTAL_RENDER_WORKER_GENERATORS)
with a writer that renders only the fingerprinted pages whose output path falls to it, while the
build process renders the others. Every page still passes through Pelican's writer here, so every
signal (content_written for the sitemap) fires as before; a page the fork renders is kept here,
with its template and variables, until the fork reports it done, and rendered here if it did not.

The fork tells other processes when its article pages are on disk (wait_for_article_pages): the
search index is made from them by yet another fork, started when this process's own are written.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import zlib

from pelican import signals

from forked import ForkedCall

logger = logging.getLogger(__name__)


def worker_owns(output_file: str, share: float) -> bool:
    """Return whether the forked process renders this page (a stable share of them, by path)."""
    return zlib.crc32(output_file.encode("utf-8")) % 1000 < share * 1000


class Partition:
    """Which fingerprinted pages this process renders, and what it left to the other one."""

    def __init__(self, in_worker: bool, share: float):
        self.in_worker = in_worker
        self.share = share  # of the fingerprinted pages, rendered by the worker
        self.deferred: dict[str, tuple] = {}  # in the build process: path → (template, variables)
        # In the build process: the single pages left to the worker, as the write_file calls that make them.
        self.skipped_calls: list[tuple] = []
        self.done: set[str] = set()  # in the worker: paths rendered or found unchanged

    def mine(self, output_file: str) -> bool:
        return worker_owns(output_file, self.share) == self.in_worker

    def skip_call(self, name: str, template, context, args: tuple, kwargs: dict) -> None:
        """Note a single page the other process writes, as the call that writes it here if it does not."""
        self.skipped_calls.append((name, template, context, args, kwargs))

    def leave(self, path: str, template, localcontext) -> None:
        """Note a page the other process renders (the build process keeps what it needs to render it)."""
        if not self.in_worker:
            self.deferred[path] = (template, dict(localcontext))


class PageWorker:
    """The forked process rendering its half of the pages, and the pipe that says its articles are written."""

    def __init__(self, generators, settings, output_path: str, names: frozenset[str]):
        context = multiprocessing.get_context("fork")
        self._articles_read, articles_write = context.Pipe(duplex=False)
        self.call = ForkedCall(
            render_half,
            generators,
            settings,
            output_path,
            names,
            articles_write,
            what="incremental: the page process",
            log=logger,
        )
        articles_write.close()  # only the fork holds it now: its end of the pipe closes when it ends
        self.joined = False

    def wait_for_article_pages(self) -> None:
        """Block until the fork has written its article pages; raise if it ended without them.

        A caller in another process (the search index) then fails, and the build process, which
        renders the fork's pages itself when it fails, does that work once they are written.
        """
        if self.joined:
            return
        try:
            self._articles_read.recv()
        except (EOFError, OSError) as error:
            raise RuntimeError("the page process ended before writing its article pages") from error


def render_half(generators, settings, output_path: str, names: frozenset[str], articles_written) -> dict:
    """In the fork: run the page generators with a writer that renders only this half of the pages."""
    from . import incremental

    cache = incremental._render_cache[0]
    cache.partition = Partition(in_worker=True, share=cache.partition.share)

    def articles_done(*args, **kwargs):
        articles_written.send(True)
        return []

    # In this process only: the signals that start other work (the search index) belong to the
    # build process, which sends them itself.
    signals.article_writer_finalized.send = articles_done
    signals.page_writer_finalized.send = lambda *args, **kwargs: []
    writer = incremental.IncrementalWriter(output_path, settings=settings)
    writer.write_feed = lambda *args, **kwargs: None
    # The pages written here are reported here (what plugins note of them is sent back, see
    # share_page_records), but for the paginated ones, which the build process reports.
    report = signals.content_written.send
    signals.content_written.send = lambda *args, **kwargs: report(*args, **kwargs) if writer.reports_pages else []
    for generator in generators:
        if type(generator).__name__ in names:
            generator.generate_output(writer)
    articles_done()
    return {
        "rendered": cache.rendered,
        "changed": writer.changed,
        "unchanged": writer.unchanged,
        "written_files": writer._written_files,
        "done": cache.partition.done,
        "skipped": cache.skipped,
        "kept": cache.kept,
        "unkeyed": cache.unkeyed,
        "records": {name: export() for name, (export, _merge) in incremental.page_records.items()},
    }


def join(worker: PageWorker, cache, writer) -> None:
    """Take in what the fork did; render here whatever it did not (it failed, or never met the page)."""
    from .files import write_if_changed
    from .incremental import page_records

    result = worker.call.result("the build process renders its pages itself")
    worker.joined = True
    done: set[str] = set()
    if result is not None:
        cache.rendered.update(result["rendered"])
        cache.skipped += result["skipped"]
        cache.kept.update(result["kept"])
        cache.unkeyed += result["unkeyed"]
        writer._written_files.update(result["written_files"])
        for path in result["unchanged"]:
            writer._record(path, False)
        for path in result["changed"]:
            writer._record(path, True)
        for name, data in result["records"].items():
            page_records[name][1](data)
        done = result["done"]
    partition = cache.partition
    for path, (template, localcontext) in partition.deferred.items():
        if path in done:
            continue
        writer._record(path, write_if_changed(path, template.render(localcontext).encode("utf-8")))
        cache.unkeyed += 1
    partition.deferred.clear()
    # The single pages the page process did not write (it failed, or the page came from a
    # generator it does not run) are written here, as Pelican would have.
    left = [call for call in partition.skipped_calls if _output(writer, call[0]) not in done]
    partition.skipped_calls.clear()
    cache.partition = None
    for name, template, context, args, kwargs in left:
        writer.write_file(name, template, context, *args, **kwargs)


def _output(writer, name: str) -> str:
    return os.path.abspath(os.path.join(writer.output_path, name))


def start_worker(generators, settings, output_path: str, cache) -> PageWorker | None:
    """Fork the page process when the site is large enough; None otherwise."""
    threshold = settings["INCREMENTAL_RENDER_WORKER_MIN_ARTICLES"]
    articles = next((g.context.get("articles") for g in generators if hasattr(g, "context")), None) or []
    if not threshold or len(articles) < threshold:
        return None
    names = frozenset(settings["INCREMENTAL_RENDER_WORKER_GENERATORS"])
    cache.partition = Partition(in_worker=False, share=settings["INCREMENTAL_RENDER_WORKER_SHARE"])
    digest_shared_context(generators, cache)
    return PageWorker(generators, settings, os.fspath(output_path), names)


def digest_shared_context(generators, cache) -> None:
    """Digest what each fingerprinted template reads of the shared context, once, before the fork.

    Both processes would otherwise parse the templates and digest the site's lists of terms.
    """
    generator = next((g for g in generators if hasattr(g, "get_template")), None)
    if generator is None:
        return
    for name in sorted(cache.templates):
        try:
            template = generator.get_template(name)
        except Exception:  # noqa: BLE001 - a template this theme lacks: no page uses it
            continue
        cache.site_digest(template)
