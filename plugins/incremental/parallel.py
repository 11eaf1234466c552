"""Render the fingerprinted pages in two processes: a share here, the rest in a forked copy of the build.

On a 2-core machine the build process renders pages one after the other while the second core
waits for the feed and search processes. Once the contents are final (Pelican asks for the
writer), a fork has every article and setting already; it runs the page generators
(INCREMENTAL_RENDER_WORKER_GENERATORS) with a writer that makes only the write_file calls whose
path falls to it (a page, or all the pages of one paginated list), and the build process makes the
others: neither passes the other's calls through Pelican's writer. The fork reports the pages it
writes (content_written) and sends back what plugins noted of them (share_page_records), the files
it wrote, and the calls it made; the build process makes any call the fork did not (it failed, or
the call came from a generator it does not run).

The fork tells other processes when its article pages are on disk (wait_for_article_pages): the
search index is made from them by yet another fork, started when this process's own are written.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import zlib

from pelican import signals

from thidua.forked import ForkedCall

logger = logging.getLogger(__name__)


def worker_owns(output_file: str, share: float) -> bool:
    """Return whether the forked process renders this page (a stable share of them, by path)."""
    return zlib.crc32(output_file.encode("utf-8")) % 1000 < share * 1000


class Partition:
    """Which of Pelican's write_file calls this process makes, and those it left to the other one."""

    def __init__(self, in_worker: bool, share: float):
        self.in_worker = in_worker
        self.share = share  # of the calls for fingerprinted templates, made by the worker
        self.accepted: set[str] = set()  # names of the calls this process made
        # In the build process: the calls left to the worker, kept to be made here if it does not.
        self.skipped_calls: list[tuple] = []

    def mine(self, output_file: str) -> bool:
        return worker_owns(output_file, self.share) == self.in_worker


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
    # build process, which sends them itself; here they tell it that these article pages are written.
    incremental.article_pages_written.send = articles_done
    signals.article_writer_finalized.send = lambda *args, **kwargs: []
    signals.page_writer_finalized.send = lambda *args, **kwargs: []
    writer = incremental.IncrementalWriter(output_path, settings=settings)
    writer.write_feed = lambda *args, **kwargs: None
    # The pages written here are reported here (content_written): what plugins note of them is
    # sent back (share_page_records).
    for generator in generators:
        if type(generator).__name__ in names:
            generator.generate_output(writer)
    articles_done()
    return {
        "rendered": cache.rendered,
        "changed": writer.changed,
        "unchanged": writer.unchanged,
        "written_files": writer._written_files,
        "accepted": cache.partition.accepted,
        "skipped": cache.skipped,
        "kept": cache.kept,
        "unkeyed": cache.unkeyed,
        "records": {name: export() for name, (export, _merge) in incremental.page_records.items()},
        "calls": cache.calls.current,
        "kept_calls": cache.calls.kept_calls,
    }


def join(worker: PageWorker, cache, writer) -> None:
    """Take in what the fork did; render here whatever it did not (it failed, or never met the page)."""
    from .incremental import page_records

    result = worker.call.result("the build process renders its pages itself")
    worker.joined = True
    accepted: set[str] = set()
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
        cache.calls.current.update(result["calls"])
        cache.calls.kept_calls += result["kept_calls"]
        for name, data in result["records"].items():
            page_records[name][1](data)
        accepted = result["accepted"]
    partition = cache.partition
    # The calls the page process did not make (it failed, or they came from a generator it does
    # not run) are made here, as Pelican would have made them.
    left = [call for call in partition.skipped_calls if call[0] not in accepted]
    partition.skipped_calls.clear()
    cache.partition = None
    for name, template, context, args, kwargs in left:
        writer.write_file(name, template, context, *args, **kwargs)


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
