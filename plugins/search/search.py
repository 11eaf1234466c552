"""Index published articles with Pagefind at the end of the build."""

import asyncio
import concurrent.futures
import hashlib
import logging
import os
import shutil
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
    MERGED_FILE,
    ensure_shards,
    load_merge_memo,
    merge,
    prune_store,
    save_merge_memo,
    save_shard,
    shard_digest,
    split_pages,
)

logger = logging.getLogger(__name__)

DEFAULTS = {
    "SEARCH_ENABLED": True,
    "SEARCH_OUTPUT_PATH": "pagefind",
    "SEARCH_LANGUAGE": "vi",
    # Pagefind's filter and metadata files differ from run to run for the same pages, so a
    # bundle is kept per set of inputs: unchanged content republishes byte-identical files.
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
    # the shards holding changed pages are indexed again.
    "SEARCH_SHARD_PAGES": 200,
    # The page that offers every place or campaign one typed name could be (names.nginx_map), for
    # the no-JS search: only names of several are given one.
    "SEARCH_OFFERS_URL": "tim-kiem/noi/{key}/",
    "SEARCH_OFFERS_SAVE_AS": "tim-kiem/noi/{key}/index.html",
}

_records: list = []

# Bump when the post-processing of the bundle changes, so cached bundles are rebuilt.
BUNDLE_FORMAT = "shards-3"  # 2: word pairs and locality/campaign filters; 3: fragments without the pairs
# In a cached bundle: the shards it was merged from (see prune_cache).
SHARDS_FILE = "shards.txt"
# In the cache folder: what each article page was prepared from, and its digest (prepared.py).
PREPARED_FILE = "prepared.pickle"
# Cached bundles kept: those of the last few builds (preview and publish settings, say).
KEEP_BUNDLES = 3
# In the cache folder: the prepared pages by digest (shards.stage_page), and what prune_cache
# set aside, removed by the next build while it waits for its pages (empty_trash).
STORE_FOLDER = "pages"
TRASH_FOLDER = ".trash"


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


def pages_digest(pages, config: dict) -> str:
    """Return a hash of the prepared pages (save_as order), the Pagefind version and its configuration."""
    digest = hashlib.sha256(f"pagefind {version('pagefind')} {BUNDLE_FORMAT} {sorted(config.items())}".encode())
    for save_as, data in pages:
        digest.update(save_as.encode() + b"\0" + (data.encode("utf-8") if isinstance(data, str) else data) + b"\0")
    return digest.hexdigest()[:24]


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


def sharded_bundle(
    groups: list[list[tuple[str, str]]],
    folders: list[Path],
    target: Path,
    config: dict,
    previous: Path | None,
    memo_path: Path | None = None,
    store: Path | None = None,
) -> int:
    """Index the groups of pages shard by shard (cached in folders) and merge them into target.

    memo_path: where what the last merge made is kept (shards.MergeMemo), or None. store: the
    prepared pages by digest (shards.stage_page), or None.
    Raises FormatError, with target left absent, when anything is not as shards.py expects.
    """
    try:
        shards = ensure_shards(groups, folders, config, store)
        started = time.perf_counter()
        memo = load_merge_memo(memo_path)
        indexed = merge(
            folders,
            shards,
            target,
            config["chunk_bytes"],
            config["common_word_share"],
            config["common_word_locations"],
            reuse_from=previous,
            memo=memo,
        )
        save_merge_memo(memo_path, memo)
        logger.debug("search: shards merged in %.2f s", time.perf_counter() - started)
    except OSError as error:  # a shard removed under us, a full disk: index in one request
        shutil.rmtree(target, ignore_errors=True)
        raise FormatError(f"shards unreadable: {error!r}") from error
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    (target / SHARDS_FILE).write_text("\n".join(folder.name for folder in folders) + "\n", encoding="utf-8")
    for folder, shard in zip(folders, shards, strict=True):
        if shard.changed:  # capped page lists of common words computed this time: kept for the next merge
            save_shard(folder, shard)
    return indexed


def prune_cache(cache_root: Path, current: Path, keep: int = KEEP_BUNDLES) -> None:
    """Set aside cached bundles beyond the `keep` most recently used, and shards none of them uses.

    Without this every edit would leave a whole bundle (16 MB at 10,000 articles) in the cache.
    They are moved into the trash folder, not deleted: removing a bundle's 10,000 files takes a
    tenth of a second at the end of the build, which the next build spends instead while it
    waits for its pages (empty_trash). A rename is atomic: no half-removed bundle is ever found.
    """
    os.utime(current)
    bundles = [
        p
        for p in cache_root.iterdir()
        if p.is_dir() and p.name not in ("shards", STORE_FOLDER) and not p.name.startswith(".")
    ]
    bundles.sort(key=lambda p: (p != current, -p.stat().st_mtime_ns, p.name))
    for stale in bundles[keep:]:
        _set_aside(cache_root, stale)
    used = set()
    for bundle in bundles[:keep]:
        try:
            used.update((bundle / SHARDS_FILE).read_text(encoding="utf-8").split())
        except OSError:
            continue
    shards = cache_root / "shards"
    if shards.is_dir():
        for folder in shards.iterdir():
            if folder.name not in used:
                _set_aside(cache_root, folder)


def _set_aside(cache_root: Path, folder: Path) -> None:
    trash = cache_root / TRASH_FOLDER
    trash.mkdir(exist_ok=True)
    try:
        folder.rename(trash / f"{folder.parent.name}-{folder.name}-{os.getpid()}")
    except OSError:  # already set aside by another build, or a name taken: removed here
        shutil.rmtree(folder, ignore_errors=True)


def empty_trash(cache_root: Path) -> None:
    """Remove what prune_cache set aside."""
    shutil.rmtree(cache_root / TRASH_FOLDER, ignore_errors=True)


def shard_folders(groups: list[list[tuple[str, str]]], config: dict, cache_root: Path) -> list[Path]:
    """Return where each group of pages is cached as a shard: a folder named by its pages' digest."""
    return [cache_root / "shards" / shard_digest(group, config, version("pagefind")) for group in groups]


def bundle_key(folders: list[Path], config: dict) -> str:
    """Return the cache key of a bundle: the keys of its shards and the settings."""
    return pages_digest([(folder.name, "") for folder in folders], config)


def cached_bundle(output: Path, records, settings) -> tuple[Path, int]:
    """Return the cached bundle of the article pages found in `output` (made if missing), and their count.

    The pages are prepared in memory and hashed. When no bundle is cached for them, the shards whose
    pages changed are indexed again and all shards merged (shards.py); should that fail, every page
    is staged in a temporary folder and indexed in one request.
    """
    config = bundle_config(settings)
    cache_root = Path(setting(settings, "SEARCH_CACHE_PATH"))
    store = cache_root / STORE_FOLDER
    started = time.perf_counter()
    pages = prepared_pages(output, records, cache_root / PREPARED_FILE)
    logger.debug("search: %d pages prepared in %.2f s", len(pages), time.perf_counter() - started)
    count = len(pages)
    groups = split_pages(pages, config["shard_pages"])
    folders = shard_folders(groups, config, cache_root)
    cached = cache_root / bundle_key(folders, config)
    if cached.is_dir():
        prune_cache(cache_root, cached)
        return cached, count
    fresh = cache_root / f".tmp-{os.getpid()}-{cached.name}"
    shutil.rmtree(fresh, ignore_errors=True)
    published = output / setting(settings, "SEARCH_OUTPUT_PATH")
    indexed = None
    try:
        if pages:
            indexed = sharded_bundle(groups, folders, fresh, config, published, cache_root / MERGED_FILE, store)
    except FormatError as error:
        logger.warning("search: indexing every page in one request (%s)", error)
    if indexed is None:
        with tempfile.TemporaryDirectory(prefix="search-") as folder:
            stage_pages(pages, Path(folder))
            indexed = make_bundle(Path(folder), fresh, config, published)
    if indexed != count:
        logger.warning("search: Pagefind indexed %s pages of %d prepared", indexed, count)
    try:
        fresh.rename(cached)
    except OSError:  # another build stored the same bundle first
        shutil.rmtree(fresh, ignore_errors=True)
    prune_cache(cache_root, cached)
    prune_store(store, (page for _, page in pages))
    return cached, count


_worker: list[ForkedCall] = []


def bundle_worker(output: Path, records, settings) -> ForkedCall:
    """Make the bundle in a forked copy of the build process; result() gives (bundle folder, count)."""
    return ForkedCall(bundle_when_written, output, records, settings, what="search: the indexing process", log=logger)


def bundle_when_written(output: Path, records, settings) -> tuple[Path, int]:
    """cached_bundle, once every article page is on disk (the incremental plugin's page process
    writes half of them, and may still be writing when this process starts)."""
    records = [record if isinstance(record, Record) else record_for(record) for record in records]  # meanwhile
    empty_trash(Path(setting(settings, "SEARCH_CACHE_PATH")))
    started = time.perf_counter()
    try:
        from plugins.incremental import wait_for_article_pages
    except ImportError:
        pass
    else:
        wait_for_article_pages()
    pages_written = time.perf_counter()
    made = cached_bundle(output, records, settings)
    logger.debug(
        "search: waited %.2f s for the article pages, then made the bundle in %.2f s",
        pages_written - started,
        time.perf_counter() - pages_written,
    )
    return made


def start_worker(generator, writer=None) -> None:
    """Answer article_pages_written (or article_writer_finalized without the incremental plugin):
    article pages are on disk, index them on the second core."""
    if _worker:
        return  # started by the first of the two signals
    settings = generator.settings
    threshold = setting(settings, "SEARCH_WORKER_MIN_ARTICLES")
    if setting(settings, "SEARCH_ENABLED") and threshold and len(_records) >= threshold:
        output = Path(generator.output_path).resolve()
        _worker[:] = [bundle_worker(output, list(_records), settings)]


def sync_tree(
    source: Path,
    target: Path,
    leave_out: frozenset[str] = frozenset({SHARDS_FILE}),
    keep: frozenset[str] = frozenset({names.FILE, names.MAP_FILE, names.UNITS_MAP_FILE}),
) -> None:
    """Make target a copy of source, writing only files whose bytes differ (mtimes stay put).

    Files named in leave_out at the top of source are the cache's own, never published; those in
    keep, at the top of target, are written there by the build (write_names), not removed. Paths are
    plain strings: a bundle holds a file per article, and Path objects cost more than the copying.
    """
    wanted = _relative_files(source) - leave_out
    if target.is_dir():
        for relative in sorted(_relative_files(target) - wanted - keep):
            os.unlink(os.path.join(target, relative))
        for folder, folders, files in os.walk(target, topdown=False):
            if not folders and not files and folder != str(target):
                os.rmdir(folder)
    for relative in sorted(wanted):
        source_file, target_file = os.path.join(source, relative), os.path.join(target, relative)
        if _same_file(source_file, target_file, relative):
            continue
        os.makedirs(os.path.dirname(target_file), exist_ok=True)
        shutil.copyfile(source_file, target_file)


def _relative_files(root: Path) -> set[str]:
    """Return the POSIX paths, relative to root, of every file below it."""
    found = set()
    for folder, _, files in os.walk(root):
        prefix = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        found.update(prefix + name for name in files)
    return found


def _same_file(source: str, target: str, relative: str) -> bool:
    """Return whether target already holds source's bytes (False when target is missing).

    Index, filter and fragment files are named by a hash of their content (as Pagefind names
    them): the same name and size is the same file, and reading 10,000 fragments twice is not needed.
    """
    try:
        if relative.split("/", 1)[0] in ("fragment", "index", "filter"):
            return os.stat(source).st_size == os.stat(target).st_size
        with open(target, "rb") as theirs, open(source, "rb") as ours:
            return theirs.read() == ours.read()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return False


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


def publish_index(output: Path, records: list, settings: dict, made: tuple[Path, int] | None = None) -> int:
    """Bring output/SEARCH_OUTPUT_PATH up to date for the article pages of these records found in
    output; return how many pages were indexed.

    records: articles, or Record objects (records.py); names.json and the nginx maps (write_names)
    are written from articles only, since a Record lacks the localities' gazetteer terms. Callable
    again and again in one process, after some article pages changed on disk. made: the bundle and
    count the indexing process already made (build_index), or None to make them here.
    """
    started = time.perf_counter()
    if made is None:
        made = cached_bundle(output, records, settings)
    bundled = time.perf_counter()
    target = output / setting(settings, "SEARCH_OUTPUT_PATH")
    sync_tree(made[0], target)
    articles = [record for record in records if not isinstance(record, Record)]
    if articles:
        write_names(articles, target, settings)
    # What the search adds to the build's end (bench_search.py --edits reads it).
    logger.debug(
        "search: the build waited %.2f s for the bundle, and published it in %.2f s",
        bundled - started,
        time.perf_counter() - bundled,
    )
    return made[1]


def build_index(pelican) -> None:
    """Write the Pagefind bundle into the output folder (made by the worker when there is one)."""
    try:
        worker = _worker.pop() if _worker else None
        if setting(pelican.settings, "SEARCH_ENABLED") and _records:
            output = Path(pelican.output_path).resolve()
            made = worker.result("indexing here") if worker is not None else None
            count = publish_index(output, list(_records), pelican.settings, made)
            if worker is None:  # no process waits for pages here to do it while it waits
                empty_trash(Path(setting(pelican.settings, "SEARCH_CACHE_PATH")))
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
