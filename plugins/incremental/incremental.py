"""Signal adapters: provide the byte-comparing writer, keep static copies, drop stale files.

With this plugin a rebuild into an existing output folder (DELETE_OUTPUT_DIRECTORY = False)
rewrites only files whose bytes changed, so untouched files keep their modification time and
rsync or a CDN sees only real changes. Files a previous build wrote and this one did not are
deleted at the end, using a manifest kept in CACHE_PATH; files the build does not own (see
INCREMENTAL_KEEP) are never deleted.
"""

import contextlib
import logging
import os

import pelican.utils
from blinker import signal
from pelican import signals
from pelican.generators import ArticlesGenerator, Generator
from pelican.writers import Writer

from thidua.memofile import load_dict, save_dict

from .calls import call_key, calls_path, every_receiver_replays, paginated_lists
from .content_cache import patch_content_cache, wait_for_saves
from .files import CompareOnClose, copy_if_changed, write_if_changed
from .manifest import load_manifest, manifest_path, remove_stale, save_manifest, stale_files
from .parallel import PageWorker, join
from .parallel import start_worker as start_page_worker
from .render_cache import RenderCache, load_fingerprints, render_manifest_path, save_fingerprints, sources_path
from .urls import freeze_urls, remember_relative_paths, thaw_urls

logger = logging.getLogger(__name__)

# Sent (sender: the articles generator) once its article pages are written, before its list pages:
# what reads article pages (the search index) need not wait for Pelican's article_writer_finalized.
article_pages_written = signal("incremental.article_pages_written")

DEFAULTS = {
    "INCREMENTAL_ENABLED": True,
    # Files and folders ("name/") in the output that other tools write: never deleted as stale.
    "INCREMENTAL_KEEP": ["thong-ke.json", "pagefind/"],
    # Skip rendering a page whose fingerprint (render_cache.py) is the one recorded when its file
    # was written. Only the templates listed here are fingerprinted: those whose pages show no
    # more of the shared context than names and URLs (never an article or a count of them). Pages listed in
    # INCREMENTAL_ALWAYS_RENDER (the home page shows the newest titles of every category) and all
    # other templates are rendered every time.
    "INCREMENTAL_SKIP_RENDER": True,
    "INCREMENTAL_FINGERPRINT_TEMPLATES": [
        "honour_roll",
        "feed_subscribe",  # a feed's page for people: names, URLs and its own articles' metadata
        "article",
        "category",
        "tag",
        "locality",
        "campaign",
        "period_archives",
        "index",
    ],
    "INCREMENTAL_ALWAYS_RENDER": ["index.html"],
    # Settings naming the data folders or files plugins make pages from (the gazetteer and the
    # declared places): an edit of any of their files renders every fingerprinted page once.
    "INCREMENTAL_DATA_SETTINGS": ["LOCALITIES_DATA_PATH"],
    # Sites with at least this many articles render half of the fingerprinted pages in a forked
    # process (parallel.py), run by these generators (0: never fork).
    "INCREMENTAL_RENDER_WORKER_MIN_ARTICLES": 500,
    "INCREMENTAL_RENDER_WORKER_GENERATORS": ["ArticlesGenerator", "TaxonomyPagesGenerator", "HonourRollGenerator"],
    # The share of those pages (of Pelican's write_file calls: a page, or a paginated list) the
    # forked process renders; the build process also does the other work.
    "INCREMENTAL_RENDER_WORKER_SHARE": 0.5,
}

_original_copy_file = pelican.utils.copy_file


def get_setting(settings: dict, name: str):
    """Return a setting of this plugin, falling back to DEFAULTS."""
    return settings.get(name, DEFAULTS[name])


class IncrementalWriter(Writer):
    """Pelican's writer, except that a file is written only when its bytes differ."""

    last = None  # the writer of the current build, read back on `finalized`

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        self.changed: set[str] = set()
        self.unchanged: set[str] = set()
        # Every write_file call of the build, as asked (the preview's quick path replays some).
        self.plan: list[tuple] = []
        IncrementalWriter.last = self

    def write_file(self, name, template, context, *args, **kwargs):
        """Pelican's write_file, with fingerprinted templates skipping unchanged pages."""
        self.plan.append((name, template, context, args, kwargs))
        cache = _render_cache[0] if _render_cache else None
        if (
            cache is not None
            and cache.partition is not None
            and self._left_to_other_process(cache, name, template, context, args, kwargs)
        ):
            return None
        if cache is not None and cache.covers(template):
            if cache.whole_lists and not args and self._kept_or_made_whole(cache, name, template, context, kwargs):
                return None
            template = cache.wrap(template, self.output_path)
        return super().write_file(name, template, context, *args, **kwargs)

    def _kept_or_made_whole(self, cache, name, template, context, kwargs) -> bool:
        """For a paginated list: keep its files if its inputs are unchanged, else make it recording
        its pages (calls.py). False when the call is not a paginated list or has no key."""
        lists = paginated_lists(kwargs, self.settings)
        if not name or lists is None or kwargs.get("override_output"):
            return False
        key = call_key(cache, template, name, context, kwargs, lists)
        if key is None:
            return False
        if not cache.calls.keep_if_unchanged(self, cache, name, key):
            wrapped = cache.wrap(template, self.output_path)
            cache.calls.make(name, key, lambda: Writer.write_file(self, name, wrapped, context, **kwargs))
        return True

    def _left_to_other_process(self, cache, name, template, context, args, kwargs) -> bool:
        """With a page process: is this write the other process's, known before Pelican builds its variables?

        Each call (a page, or every page of a paginated list) belongs to one process by the path
        it is given: the other process does not pass it through Pelican's writer at all. The build
        process keeps the calls it leaves, and makes those the page process does not report as its
        own (it failed, or the call came from a generator it does not run). Pages of templates that
        are not fingerprinted are the build process's.
        """
        partition = cache.partition
        if not name:
            return False  # Pelican's write_file ignores it
        if not cache.covers(template):
            return partition.in_worker
        if partition.mine(name):
            partition.accepted.add(name)
            return False
        if not partition.in_worker:
            partition.skipped_calls.append((name, template, context, args, kwargs))
        return True

    def _open_w(self, filename, encoding, override=False):
        """Keep Pelican's rules about writing a file twice; buffer and compare instead of open."""
        if filename in self._overridden_files:
            if override:
                return super()._open_w(filename, encoding, override)  # raises, as Pelican does
            logger.info('Skipping "%s", not overwriting', filename)
            return open(os.devnull, "w", encoding=encoding)  # noqa: SIM115 - closed by the caller
        if filename in self._written_files and not override:
            return super()._open_w(filename, encoding, override)  # raises, as Pelican does
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        verbatim = bool(_render_cache) and _render_cache[0].take_verbatim(filename)
        return CompareOnClose(filename, encoding, self._record, verbatim)

    def _record(self, path: str, written: bool) -> None:
        (self.changed if written else self.unchanged).add(path)
        (self.unchanged if written else self.changed).discard(path)


_claimed: set[str] = set()
_render_cache: list[RenderCache] = []
_page_worker: list[PageWorker] = []
# name → (export, merge): what plugins note of each page they see written (content_written),
# exported by the page process for the pages it wrote and merged into the build process.
page_records: dict[str, tuple] = {}


def share_page_records(name: str, export, merge) -> None:
    """Have what a plugin notes of written pages follow the pages the page process writes.

    export() runs in the page process at its end and returns picklable data; merge(data) runs in
    the build process. For plugins that answer content_written (the sitemap).
    """
    page_records[name] = (export, merge)


def wait_for_article_pages() -> None:
    """Return once every article page of this build is on disk (the page process writes half of them).

    For plugins that read article pages from another process (search); at once without a page process.
    """
    if _page_worker:
        _page_worker[0].wait_for_article_pages()


def claim(path) -> None:
    """Declare that this build produced an output file written outside Pelican's writer.

    Plugins that write files themselves call this (guarded by ``try: from incremental import
    claim``) so the file is kept now and deleted by a later build that no longer produces it.
    """
    _claimed.add(os.path.abspath(path))


def write_output(path, data: bytes | str, encoding: str = "utf-8") -> bool:
    """Write a file outside Pelican's writer the incremental way: claimed, rewritten only if changed.

    For plugins that write sitemap.xml, robots.txt and the like; returns whether it was written.
    """
    claim(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    return write_if_changed(str(path), data.encode(encoding) if isinstance(data, str) else data)


def _copy_file_if_changed(source: str, destination: str) -> None:
    """Replacement for pelican.utils.copy_file during a build: leave identical copies alone."""
    claim(destination)
    try:
        copy_if_changed(source, destination)
    except OSError:
        _original_copy_file(source, destination)  # let Pelican report the problem its way


def provide_writer(pelican_object):
    """Answer the get_writer signal."""
    if get_setting(pelican_object.settings, "INCREMENTAL_ENABLED"):
        return IncrementalWriter
    return None


def validate_settings(settings) -> None:
    """Refuse page-process settings that cannot work, naming the fix."""
    threshold = get_setting(settings, "INCREMENTAL_RENDER_WORKER_MIN_ARTICLES")
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 0:
        raise ValueError("INCREMENTAL_RENDER_WORKER_MIN_ARTICLES must be a whole number ≥ 0 (0: never fork), e.g. 500")
    share = get_setting(settings, "INCREMENTAL_RENDER_WORKER_SHARE")
    if not isinstance(share, (int, float)) or isinstance(share, bool) or not 0 < share < 1:
        raise ValueError("INCREMENTAL_RENDER_WORKER_SHARE must be a number between 0 and 1 (exclusive), e.g. 0.5")


def start(pelican_object) -> None:
    """Make static and theme copies skip identical files for this build."""
    validate_settings(pelican_object.settings)
    IncrementalWriter.last = None
    _claimed.clear()
    _render_cache.clear()
    _page_worker.clear()
    last_report.clear()
    settings = pelican_object.settings
    if get_setting(settings, "INCREMENTAL_ENABLED"):
        pelican.utils.copy_file = _copy_file_if_changed
        if get_setting(settings, "INCREMENTAL_SKIP_RENDER"):
            _render_cache.append(new_render_cache(settings, pelican_object.output_path))
            # A plugin that notes written pages without replaying its notes needs every page built.
            _render_cache[0].whole_lists = every_receiver_replays()


def new_render_cache(settings, output_path: str) -> RenderCache:
    """Return the render cache a build into output_path starts from: what the last one recorded."""
    where = render_manifest_path(manifest_path(settings["CACHE_PATH"], output_path))
    return RenderCache(
        load_fingerprints(where),
        settings,
        set(get_setting(settings, "INCREMENTAL_FINGERPRINT_TEMPLATES")),
        set(get_setting(settings, "INCREMENTAL_ALWAYS_RENDER")),
        load_dict(sources_path(where)),
        load_dict(calls_path(where)),
        get_setting(settings, "INCREMENTAL_DATA_SETTINGS"),
    )


@contextlib.contextmanager
def rendering_with(cache: RenderCache):
    """Have IncrementalWriter skip unchanged pages by this cache outside a build (the preview's
    quick path replays a few of the last build's calls)."""
    _render_cache[:] = [cache]
    try:
        yield cache
    finally:
        _render_cache.clear()


def owned_files(pelican_object, writer) -> set[str]:
    """Return output-relative paths this build produced: writer, Pelican's copies, claimed files."""
    root = os.path.abspath(pelican_object.output_path)
    # Real paths only when the output folder is reached through a link: realpath costs a system
    # call per path component, seconds for the 50,000 files of a 10,000-article site.
    norm = os.path.realpath if os.path.realpath(root) != root else os.path.abspath
    root = norm(root)
    written = {norm(p) for p in writer._written_files if p != os.devnull} | {norm(p) for p in _claimed}
    # No check that each still exists (50,000 system calls): the next build deletes a stale file
    # only if it is one (remove_stale), and a file claimed but gone is simply not there to delete.
    prefix = os.path.join(root, "")
    return {p[len(prefix) :].replace(os.sep, "/") for p in written if p.startswith(prefix)}


def static_files(generators) -> set[str]:
    """Return the save_as of every static file (content images and the like)."""
    found = set()
    for generator in generators:
        for item in getattr(generator, "staticfiles", []):
            if getattr(item, "save_as", None):
                found.add(item.save_as.replace(os.sep, "/"))
    return found


_generators: list = []
# What the last build did (files written, unchanged, not rendered, stale removed), for tests and tools.
last_report: dict[str, int] = {}


def remember_generators(generators) -> None:
    """Keep the generators of this build (static files at the end, the page process); keep URLs.

    Every generator's context is complete, and this plugin's receiver is the last: from now on no
    content's URL changes (Pelican still rewrites the links inside summaries, which no URL is
    made from). Each content's URL and save_as are formatted now, once for the duplicate check,
    the feed, page and search processes, and the build process.
    """
    _generators[:] = generators
    if _render_cache and generators:
        _render_cache[0].shared_context = generators[0].context
    freeze_urls(all_contents(generators))
    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            announce_article_pages(generator)


def announce_article_pages(generator) -> None:
    """Have the generator send article_pages_written once it has written its article pages."""
    write_articles = generator.generate_articles

    def generate_articles(write):
        write_articles(write)
        article_pages_written.send(generator)

    generator.generate_articles = generate_articles  # this build's generator only


def start_page_process(pelican_object) -> None:
    """Answer get_writer: contents are final now, so the page process is forked.

    Not at all_generators_finalized: Pelican then still rewrites the links in every summary
    (refresh_metadata_intersite_links), and a fork made before would render, and fingerprint,
    contents that differ from the build process's.
    """
    if _render_cache and _generators:
        settings = {**DEFAULTS, **_generators[0].settings}
        worker = start_page_worker(_generators, settings, _generators[0].output_path, _render_cache[0])
        _page_worker[:] = [worker] if worker is not None else []


def all_contents(generators) -> list:
    """Return every article and page of the build, drafts, hidden ones and translations included."""
    found = []
    for generator in generators:
        for kind in (
            "articles",
            "translations",
            "drafts",
            "drafts_translations",
            "hidden_articles",
            "hidden_translations",
            "pages",
            "hidden_pages",
            "draft_pages",
        ):
            found += getattr(generator, kind, None) or []
    return found


def join_page_worker(writer) -> None:
    """Take in the pages the page process rendered (before any plugin reads the output folder)."""
    if _page_worker and not _page_worker[0].joined and _render_cache:
        join(_page_worker[0], _render_cache[0], writer)


class PageJoinGenerator(Generator):
    """The last plugin generator: waits for the page process once every page has been written here."""

    def generate_context(self):
        """Nothing to collect."""

    def generate_output(self, writer):
        """Take in what the page process did."""
        join_page_worker(writer)


def get_generators(pelican_object):
    """Add the generator that joins the page process."""
    return PageJoinGenerator


def finish(pelican_object) -> None:
    """Delete what the previous build owned and this one did not; save this build's manifest."""
    pelican.utils.copy_file = _original_copy_file
    wait_for_saves()
    # Let go of this build's contents now: held until the next build's contexts were made, the
    # whole last build became garbage half-way through it, and its full collections (2-4 s in a
    # `make serve` process at 10k) walked and freed it instead of freezing the live heap.
    generators, _generators[:] = list(_generators), []
    writer = IncrementalWriter.last
    settings = pelican_object.settings
    if writer is None or not get_setting(settings, "INCREMENTAL_ENABLED"):
        return
    join_page_worker(writer)  # already done, unless the join generator did not run
    _page_worker.clear()  # its calls left to this process hold pages' contexts
    current = owned_files(pelican_object, writer) | static_files(generators)
    where = manifest_path(settings["CACHE_PATH"], pelican_object.output_path)
    previous = load_manifest(where)
    removed = 0
    if previous is not None:
        removed = remove_stale(
            pelican_object.output_path, stale_files(previous, current, get_setting(settings, "INCREMENTAL_KEEP"))
        )
    save_manifest(where, current)
    skipped = unkeyed = fingerprinted = lists_kept = 0
    if _render_cache:
        cache = _render_cache.pop()
        fingerprints_file = render_manifest_path(where)
        save_fingerprints(fingerprints_file, cache.rendered, cache.kept)
        save_dict(sources_path(fingerprints_file), cache.fingerprints.source_stamps)
        save_dict(calls_path(fingerprints_file), cache.calls.current)
        skipped, unkeyed, fingerprinted = cache.skipped, cache.unkeyed, len(cache.rendered)
        lists_kept = cache.calls.kept_calls
    last_report.update(
        written=len(writer.changed),
        unchanged=len(writer.unchanged),
        skipped=skipped,
        unkeyed=unkeyed,
        fingerprinted=fingerprinted,
        lists_kept=lists_kept,
        removed=removed,
    )
    logger.info(
        "incremental: %(written)d files written, %(unchanged)d unchanged (%(skipped)d of them not rendered), "
        "%(removed)d stale removed",
        last_report,
    )


def register() -> None:
    """Connect the writer and the start/end handlers; make Pelican's content cache robust."""
    patch_content_cache()
    remember_relative_paths()
    signals.generator_init.connect(thaw_urls)  # a build that failed never reached finalized
    signals.finalized.connect(thaw_urls)
    signals.initialized.connect(start)
    signals.get_writer.connect(provide_writer)
    signals.get_writer.connect(start_page_process)
    signals.all_generators_finalized.connect(remember_generators)
    signals.get_generators.connect(get_generators)
    signals.finalized.connect(finish)
