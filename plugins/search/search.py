"""Index published articles with Pagefind at the end of the build."""

import asyncio
import concurrent.futures
import contextlib
import functools
import gc
import hashlib
import logging
import re
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

from blinker import signal
from pelican import signals
from pelican.generators import ArticlesGenerator, Generator

from thidua.forked import ForkedCall
from thidua.memofile import file_stamp

from . import names, prepared
from .bundle import CHUNK_BYTES, COMMON_WORD_LOCATIONS, COMMON_WORD_SHARE, FormatError, drop_hidden_meta, rechunk
from .records import Record, record_for
from .shards import (
    Merged,
    discard,
    empty_trash,
    ensure_shards,
    forget_shards,
    load_merged,
    merge,
    prune_store,
    save_merged,
    save_shard,
    scan,
    shard_digest,
    split_pages,
    usable_shard,
    write_files,
)

logger = logging.getLogger(__name__)

DEFAULTS = {
    "SEARCH_ENABLED": True,
    "SEARCH_OUTPUT_PATH": "pagefind",
    "SEARCH_LANGUAGE": "vi",
    # The shards and what the last merges made (shards.py).
    "SEARCH_CACHE_PATH": "cache/pagefind",
    # Chrome inside the article that nobody searches for, kept out of the index and the excerpts:
    # the category link (a filter), the dates (shown from metadata; the year is a filter), and
    # labels (term lists, official-document fields, the honourees heading and its link to the roll,
    # the "original picture" link). Body, title, summary, byline, captions, honourees, documents,
    # localities, campaigns and tags stay indexed.
    "SEARCH_EXCLUDE_SELECTORS": [
        ".td-article__category",
        ".td-article__dates",
        ".td-terms__label",
        ".td-document__key",
        ".td-document__subheading",
        ".td-figure__original",
        ".td-article__honourees > h2",
        ".td-article__honourees > p",
    ],
    # Compressed size the word index is cut into (see bundle.py): what one query word costs at most,
    # unless that word alone is larger.
    "SEARCH_CHUNK_BYTES": CHUNK_BYTES,
    # A word on at least this share of the pages, too large for one chunk, keeps only
    # SEARCH_COMMON_WORD_LOCATIONS positions per page (every page is still listed; see bundle.py).
    # None keeps every position.
    "SEARCH_COMMON_WORD_SHARE": COMMON_WORD_SHARE,
    "SEARCH_COMMON_WORD_LOCATIONS": COMMON_WORD_LOCATIONS,
    # Sites with at least this many articles are indexed by a forked process as soon as the
    # article pages are written, while the build renders the other pages (0: never fork).
    "SEARCH_WORKER_MIN_ARTICLES": 500,
    # Pages are indexed in shards of at most about this many (see shards.py): after an edit only
    # the shards holding changed pages are indexed again. At 10,000 articles, 100 (128 shards of
    # about 78 pages) against 200: a body edit's search 1.4 s instead of 2.1 (Pagefind 0.6 s instead
    # of 1.2), a title edit's and a fresh process's the same (docs/performance.md).
    "SEARCH_SHARD_PAGES": 100,
    # The page that offers every place or campaign one typed name could be (names.nginx_map), for
    # the no-JS search: only names of several are given one.
    "SEARCH_OFFERS_URL": "tim-kiem/noi/{key}/",
    "SEARCH_OFFERS_SAVE_AS": "tim-kiem/noi/{key}/index.html",
}

_records: list = []

# In the cache folder: what each article page was prepared from, and its digest (prepared.py).
PREPARED_FILE = "prepared.pickle"
# In the cache folder: the prepared pages by digest (shards.stage_page).
STORE_FOLDER = "pages"
# In the cache folder: the last merge into each output folder (shards.save_merged), and the shards
# it was made of; the most recent few are kept (preview and publish settings, say), with their shards.
MERGED_FOLDER = "merged"
KEEP_MERGES = 3
# Files of the bundle folder written by write_names, not by the merge.
NAMES_FILES = frozenset({names.FILE, names.MAP_FILE, names.UNITS_MAP_FILE})
# What earlier versions kept in the cache folder: whole bundles (named by a 24-digit key) and one
# big merge memo. Removed by the first build.
_OLD_CACHE = re.compile(r"[0-9a-f]{24}|merged\.pickle|\.tmp-.*")
# In the cache folder: what is no longer used, removed in the background (shards.discard).
TRASH_FOLDER = ".trash"

# The last merge into each output folder made by this process, and the shards folder it read.
_merged: dict[str, tuple[Path, Merged]] = {}


def setting(settings, name):
    """Return a search setting or its default."""
    return settings.get(name, DEFAULTS[name])


def validate_settings(pelican) -> None:
    """Reject bad search settings early, naming the setting and the fix."""
    out = setting(pelican.settings, "SEARCH_OUTPUT_PATH")
    if not isinstance(out, str) or not out or out.startswith("/") or ".." in out:
        raise ValueError(
            f"search: SEARCH_OUTPUT_PATH={out!r} must be a folder name relative to the output, e.g. 'pagefind'"
        )
    chunk = setting(pelican.settings, "SEARCH_CHUNK_BYTES")
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise ValueError(f"search: SEARCH_CHUNK_BYTES={chunk!r} must be a positive whole number of bytes, e.g. 16384")
    share = setting(pelican.settings, "SEARCH_COMMON_WORD_SHARE")
    if share is not None and (isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1):
        raise ValueError(
            f"search: SEARCH_COMMON_WORD_SHARE={share!r} must be a share of the pages above 0 and at most 1, "
            "e.g. 0.2, or None to keep every position of every word"
        )
    locations = setting(pelican.settings, "SEARCH_COMMON_WORD_LOCATIONS")
    if isinstance(locations, bool) or not isinstance(locations, int) or locations < 1:
        raise ValueError(
            f"search: SEARCH_COMMON_WORD_LOCATIONS={locations!r} must be a positive whole number of positions "
            "kept per page, e.g. 1"
        )
    threshold = setting(pelican.settings, "SEARCH_WORKER_MIN_ARTICLES")
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 0:
        raise ValueError(
            f"search: SEARCH_WORKER_MIN_ARTICLES={threshold!r} must be a whole number ≥ 0 (0: never fork), e.g. 500"
        )
    shard_pages = setting(pelican.settings, "SEARCH_SHARD_PAGES")
    if isinstance(shard_pages, bool) or not isinstance(shard_pages, int) or shard_pages < 1:
        raise ValueError(
            f"search: SEARCH_SHARD_PAGES={shard_pages!r} must be a positive whole number of pages per shard, e.g. 200"
        )
    selectors = setting(pelican.settings, "SEARCH_EXCLUDE_SELECTORS")
    if not isinstance(selectors, (list, tuple)) or not all(isinstance(x, str) and x for x in selectors):
        raise ValueError(
            f"search: SEARCH_EXCLUDE_SELECTORS={selectors!r} must be a list of CSS selectors, e.g. ['.td-terms__label']"
        )


def collect_articles(generators) -> None:
    """Remember the published articles (never drafts or hidden ones) for the index.

    Their records are made where the index is (record_for), in the indexing process on large sites.
    """
    _records.clear()
    _worker.clear()  # a build that stopped half-way never reached build_index
    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            _records.extend(generator.articles)


def prepared_pages(output: Path, records, memo_path: Path | None = None) -> list[tuple[str, object]]:
    """Return (save_as, prepared page) of each article page found in `output`, in save_as order.

    records: Record objects, or articles (their records are made here). With memo_path, a page
    whose file and record are as the last build left them is not read (prepared.py): it is a
    PreparedPage known by digest. Otherwise pages are prepared text.
    """
    pages = []
    memo, kept = prepared.load_memo(memo_path), {}
    code = prepared.code_digest()
    for record in records:
        if not isinstance(record, Record):
            record = record_for(record)
        path = output / record.save_as
        stamp = file_stamp(path)
        if stamp is None:
            logger.warning("search: %s was not written; left out of the index", record.save_as)
            continue
        page, entry = prepared.prepare(path, record, stamp, memo.get(record.save_as), code)
        if page is None:
            logger.warning('search: %s has no <article class="td-article">; left out of the index', record.save_as)
            continue
        kept[record.save_as] = entry
        pages.append((Path(record.save_as).as_posix(), page if memo_path is not None else page.text))
    if memo_path is not None:
        prepared.save_memo(memo_path, kept)
    return sorted(pages, key=lambda pair: pair[0])


def stage_pages(pages: list[tuple[str, str]], staging: Path) -> None:
    """Write the prepared pages under `staging`, where Pagefind reads them."""
    for save_as, page in pages:
        target = staging / save_as
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(prepared.page_text(page), encoding="utf-8")


def bundle_config(settings) -> dict:
    """Return everything that shapes the bundle besides the pages themselves."""
    return {
        "language": setting(settings, "SEARCH_LANGUAGE"),
        "exclude_selectors": list(setting(settings, "SEARCH_EXCLUDE_SELECTORS")),
        "chunk_bytes": setting(settings, "SEARCH_CHUNK_BYTES"),
        "common_word_share": setting(settings, "SEARCH_COMMON_WORD_SHARE"),
        "common_word_locations": setting(settings, "SEARCH_COMMON_WORD_LOCATIONS"),
        "shard_pages": setting(settings, "SEARCH_SHARD_PAGES"),
    }


async def index_folder(folder: Path, target: Path, config: dict) -> int:
    """Run Pagefind over a folder in one request and write its bundle into target."""
    from pagefind.index import PagefindIndex

    options = {
        "force_language": config["language"],
        "exclude_selectors": config["exclude_selectors"],
        "output_path": str(target),
    }
    async with PagefindIndex(config=options) as index:
        result = await index.add_directory(str(folder))
    return result.get("page_count", 0)


def make_bundle(folder: Path, target: Path, config: dict, previous: Path | None = None) -> int:
    """Index the prepared pages in folder into a bundle at target; return how many were indexed.

    previous: a bundle made earlier (the published one) whose unchanged chunks are reused.
    """
    indexed = run_in_own_loop(index_folder(folder, target, config))
    try:
        drop_hidden_meta(target)
        rechunk(
            target,
            config["chunk_bytes"],
            config["common_word_share"],
            config["common_word_locations"],
            reuse_from=previous,
        )
    except FormatError as error:  # raised before anything is rewritten: Pagefind's bundle stays whole
        logger.warning("search: index chunks left as Pagefind wrote them (%s); first queries will be larger", error)
    return indexed


def shard_folders(groups: list[list[tuple[str, str]]], config: dict, cache_root: Path) -> list[Path]:
    """Return where each group of pages is cached as a shard: a folder named by its pages' digest."""
    return [cache_root / "shards" / shard_digest(group, config, version("pagefind")) for group in groups]


def index_pages(output: Path, records, settings, load: bool = True) -> tuple[list[Path], int, list, list]:
    """Prepare the article pages found in `output` and index the shards not cached yet (shards.py).

    Return the shard folders, how many pages there are, the shards (None each unless load) and
    the pages. Raises FormatError when Pagefind fails on a shard.
    """
    config = bundle_config(settings)
    cache_root = Path(setting(settings, "SEARCH_CACHE_PATH"))
    store = cache_root / STORE_FOLDER
    started = time.perf_counter()
    pages = prepared_pages(output, records, cache_root / PREPARED_FILE)
    logger.debug("search: %d pages prepared in %.2f s", len(pages), time.perf_counter() - started)
    groups = split_pages(pages, config["shard_pages"])
    folders = shard_folders(groups, config, cache_root)
    shards = ensure_shards(groups, folders, config, store, load)
    prune_store(store, (page for _, page in pages))
    prune_shards(cache_root, folders)
    return folders, len(pages), shards, pages


def merge_file(cache_root: Path, target: Path) -> Path:
    """Where the last merge into target is kept."""
    return cache_root / MERGED_FOLDER / (hashlib.sha256(str(target).encode()).hexdigest()[:16] + ".pickle")


def last_merge(cache_root: Path, target: Path) -> Merged | None:
    """The last merge into target: this process's own, else the one kept in the cache (checked)."""
    kept = _merged.get(str(target))
    if kept is not None and kept[0] == cache_root / "shards":
        return kept[1]
    return load_merged(merge_file(cache_root, target), target)


def keep_merge(cache_root: Path, target: Path, merged: Merged | None) -> None:
    """Remember the merge into target (None: forget it), in memory and in the cache (the last few)."""
    path = merge_file(cache_root, target)
    path.parent.mkdir(parents=True, exist_ok=True)
    if merged is None:
        _merged.pop(str(target), None)
        path.unlink(missing_ok=True)
    else:
        _merged[str(target)] = (cache_root / "shards", merged)
        save_merged(path, merged)
        path.with_suffix(".txt").write_text("\n".join(merged.names) + "\n", encoding="utf-8")
    kept = sorted(path.parent.glob("*.pickle"), key=lambda p: (p != path, -p.stat().st_mtime_ns, p.name))
    for stale in kept[KEEP_MERGES:]:
        stale.unlink(missing_ok=True)
        stale.with_suffix(".txt").unlink(missing_ok=True)
    forget_shards({str(shards / name) for shards, merge in _merged.values() for name in merge.names})


def prune_shards(cache_root: Path, folders: list[Path]) -> None:
    """Remove the shards neither these folders nor a kept merge uses (an edit leaves one behind,
    4 MB at 10,000 articles), and what earlier versions kept in the cache.

    Done before the merge (the last merge's own shards are still used then: kept merges), into
    the trash: the build process empties it in the background once it has merged (publish_index).
    """
    used = {folder.name for folder in folders}
    for state in (cache_root / MERGED_FOLDER).glob("*.txt"):
        with contextlib.suppress(OSError):
            if state.with_suffix(".pickle").is_file():
                used.update(state.read_text(encoding="utf-8").split())
    for folder in (cache_root / "shards").iterdir() if (cache_root / "shards").is_dir() else ():
        if folder.name not in used:
            discard(folder, cache_root / TRASH_FOLDER)
    for old in cache_root.iterdir() if cache_root.is_dir() else ():
        if _OLD_CACHE.fullmatch(old.name):
            discard(old, cache_root / TRASH_FOLDER)


def one_request(output: Path, records, settings, target: Path, pages=None) -> int:
    """Index every page in one Pagefind request into target (when shards cannot be used); return the count."""
    config = bundle_config(settings)
    cache_root = Path(setting(settings, "SEARCH_CACHE_PATH"))
    if pages is None:
        pages = prepared_pages(output, records, cache_root / PREPARED_FILE)
    with tempfile.TemporaryDirectory(prefix="search-") as folder:
        stage_pages(pages, Path(folder) / "pages")
        indexed = make_bundle(Path(folder) / "pages", Path(folder) / "bundle", config, target)
        bundle = Path(folder) / "bundle"
        write_files(target, {relative: ("", bundle / relative) for relative in scan(bundle)}, {}, NAMES_FILES)
    keep_merge(cache_root, target, None)
    if indexed != len(pages):
        logger.warning("search: Pagefind indexed %s pages of %d prepared", indexed, len(pages))
    return len(pages)


_worker: list[ForkedCall] = []


def index_worker(output: Path, records, settings) -> ForkedCall:
    """Index the shards in a forked copy of the build process; result() gives (shard folders, count),
    or None when the build process must do it (index_when_written)."""
    return ForkedCall(index_when_written, output, records, settings, what="search: the indexing process", log=logger)


def paused_gc(function):
    """Run function with Python's cycle collector paused.

    The index is made of bytes, strings, tuples and dicts, which hold no cycles; but the build
    process holds millions of objects at 10,000 articles, and the collections that reading the
    64 parsed shards would set off take four times as long as the reading (1.7 s instead of 0.45).
    """

    @functools.wraps(function)
    def paused(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused


@paused_gc
def index_when_written(output: Path, records, settings) -> tuple[list[Path], int, bool] | None:
    """index_pages, once every article page is on disk (the incremental plugin's page process
    writes half of them, and may still be writing when this process starts); return the shard
    folders, the page count and whether the index was also merged into the output here.

    The merge is the build process's when it keeps one in memory (a preview's process, since its
    first build): it merges only what changed, and keeps that for its next build, whereas this
    process's memory ends with it. A fresh process (`make publish`) keeps none: the merge is done
    here, from the one kept in the cache, while the build process renders the other pages.
    """
    records = [record if isinstance(record, Record) else record_for(record) for record in records]  # meanwhile
    # What the last build (in a process that has ended since, maybe) did not remove yet: meanwhile too.
    empty_trash(Path(setting(settings, "SEARCH_CACHE_PATH")) / TRASH_FOLDER, background=False)
    started = time.perf_counter()
    try:
        from plugins.incremental import wait_for_article_pages
    except ImportError:
        pass
    else:
        wait_for_article_pages()
    pages_written = time.perf_counter()
    try:
        folders, count, _, _ = index_pages(output, records, settings, load=False)
    except FormatError:  # the build process tries again, and falls back to one request
        return None
    logger.debug(
        "search: waited %.2f s for the article pages, then indexed them in %.2f s",
        pages_written - started,
        time.perf_counter() - pages_written,
    )
    merge_here = str(output / setting(settings, "SEARCH_OUTPUT_PATH")) not in _merged
    if merge_here:
        publish_index(output, records, settings, (folders, count, False))
    return folders, count, merge_here


def start_worker(generator, writer=None) -> None:
    """Answer article_pages_written (or article_writer_finalized without the incremental plugin):
    article pages are on disk, index them on the second core."""
    if _worker:
        return  # started by the first of the two signals
    settings = generator.settings
    threshold = setting(settings, "SEARCH_WORKER_MIN_ARTICLES")
    if setting(settings, "SEARCH_ENABLED") and threshold and len(_records) >= threshold:
        output = Path(generator.output_path).resolve()
        _worker[:] = [index_worker(output, list(_records), settings)]


def write_names(articles, folder: Path, settings) -> None:
    """Write the places and campaigns queries can name (names.py) into the bundle folder, for search.js
    and for nginx (the no-JS search), each file only if changed."""
    index = names.names_index(articles)
    for name, text in (
        (names.FILE, names.names_json(articles)),
        (names.UNITS_MAP_FILE, names.units_map()),
        (names.MAP_FILE, names.nginx_map(index, setting(settings, "SEARCH_OFFERS_URL"))),
    ):
        target, data = folder / name, text.encode("utf-8")
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)


class SearchOffersGenerator(Generator):
    """Write the page offering each place or campaign of a name several share (the no-JS search)."""

    def generate_context(self):
        """Nothing to collect: the names come from the published articles."""

    def generate_output(self, writer):
        """Write one page per shared name, linked from nginx's map (names.nginx_map)."""
        if not setting(self.settings, "SEARCH_ENABLED"):
            return
        template = self.get_template("search_offers")
        for name_key, entries in names.names_index(self.context.get("articles", []))["names"].items():
            if len(entries) > 1:
                writer.write_file(
                    setting(self.settings, "SEARCH_OFFERS_SAVE_AS").format(key=name_key), template, self.context,
                    template_name="search_offers", url=setting(self.settings, "SEARCH_OFFERS_URL").format(key=name_key),
                    offers=entries,
                )  # fmt: skip


def get_generators(pelican):
    """Add the generator of the no-JS search's offer pages."""
    return SearchOffersGenerator


def run_in_own_loop(coroutine):
    """Run a coroutine to its end in a fresh thread (the caller may already run an event loop)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@paused_gc
def publish_index(output: Path, records: list, settings: dict, made: tuple[list[Path], int, bool] | None = None) -> int:
    """Bring output/SEARCH_OUTPUT_PATH up to date for the article pages of these records found in
    output; return how many pages were indexed.

    records: articles, or Record objects (records.py); names.json and the nginx maps (write_names)
    are written from articles only, since a Record lacks the localities' gazetteer terms. Called
    again in one process after some article pages changed, it indexes their shards again and merges
    only what changed into the files it wrote last (last_merge). made: the shard folders and page
    count the indexing process found, and whether it merged them too (index_when_written), or None
    to do it all here.
    """
    started = time.perf_counter()
    cache_root = Path(setting(settings, "SEARCH_CACHE_PATH"))
    target = output / setting(settings, "SEARCH_OUTPUT_PATH")
    count = made[1] if made is not None and made[2] else merge_index(output, records, settings, made)
    articles = [record for record in records if not isinstance(record, Record)]
    if articles:
        write_names(articles, target, settings)
    empty_trash(cache_root / TRASH_FOLDER, background=True)
    # What the search adds to the build's end (bench_search.py --edits reads it).
    logger.debug("search: index published in %.2f s", time.perf_counter() - started)
    return count


def merge_index(output: Path, records, settings, made) -> int:
    """Merge the shards of the article pages into output/SEARCH_OUTPUT_PATH (publish_index); return the count."""
    started = time.perf_counter()
    config = bundle_config(settings)
    cache_root = Path(setting(settings, "SEARCH_CACHE_PATH"))
    target = output / setting(settings, "SEARCH_OUTPUT_PATH")
    shards = pages = None
    if made is not None:
        folders, count, _ = made
        shards = [usable_shard(folder) for folder in folders]
    try:
        if shards is None or None in shards:
            folders, count, shards, pages = index_pages(output, records, settings)
        if not shards:
            raise FormatError("no article page to index")
        indexed = time.perf_counter()
        merged = merge(
            folders,
            shards,
            target,
            config["chunk_bytes"],
            config["common_word_share"],
            config["common_word_locations"],
            last_merge(cache_root, target),
            NAMES_FILES,
            cache_root / TRASH_FOLDER,
        )
        for folder, shard in zip(folders, shards, strict=True):
            if shard.changed:  # capped page lists of common words computed this time: kept for the next merge
                save_shard(folder, shard)
        keep_merge(cache_root, target, merged)
        logger.debug(
            "search: shards read in %.2f s, merged and written in %.2f s",
            indexed - started,
            time.perf_counter() - indexed,
        )
    except (FormatError, OSError) as error:  # OSError: a shard removed under us, a full disk
        logger.warning("search: indexing every page in one request (%s)", error)
        count = one_request(output, records, settings, target, pages)
    return count


def build_index(pelican) -> None:
    """Write the Pagefind bundle into the output folder (its shards indexed by the worker when there is one)."""
    try:
        worker = _worker.pop() if _worker else None
        if setting(pelican.settings, "SEARCH_ENABLED") and _records:
            output = Path(pelican.output_path).resolve()
            started = time.perf_counter()
            made = worker.result("indexing here") if worker is not None else None
            logger.debug("search: the build waited %.2f s for the indexing process", time.perf_counter() - started)
            count = publish_index(output, list(_records), pelican.settings, made)
            logger.info("search: indexed %d articles", count)
    finally:
        _records.clear()
        _worker.clear()


def register() -> None:
    """Connect the search plugin."""
    signals.initialized.connect(validate_settings)
    signals.all_generators_finalized.connect(collect_articles)
    signals.article_writer_finalized.connect(start_worker)
    # The incremental plugin says so earlier, before the list pages: the index starts sooner.
    signal("incremental.article_pages_written").connect(start_worker)
    signals.get_generators.connect(get_generators)
    signals.finalized.connect(build_index)
