"""Pelican's content cache, written atomically and ignored (with a warning) when damaged.

Pelican writes its cache files in place, so a build stopped while saving them (Ctrl-C in
`make serve`, a full disk) leaves a truncated gzip file, and every later build then stops at once
with "EOFError: Compressed file ended before the end-of-stream marker was reached": Pelican only
recovers from OSError and pickle errors. Here a cache is written to a temporary file beside it
and renamed into place, and a cache that cannot be read is reported and treated as empty (the
content is simply read again).

The cache is written only when this build put something in it (Pelican rewrites it every time),
and on a large site in a forked process: pickling 10,000 articles took 0.7 s of the build
process's time after an edit of one.
"""

import functools
import gzip
import logging
import os
import pickle
import tempfile

from pelican.cache import FileDataCacher, FileStampDataCacher

from thidua.forked import ForkedCall

logger = logging.getLogger(__name__)

PELICANS_INIT = FileDataCacher.__init__
PELICANS_CACHE_DATA = FileDataCacher.cache_data
PELICANS_GET_CACHED_DATA = FileStampDataCacher.get_cached_data
_saving: list[ForkedCall] = []  # caches being written by forked processes


def load_tolerantly(self, settings, cache_name, caching_policy, load_policy):
    """FileDataCacher.__init__, starting with an empty cache when the file is damaged."""
    self._changed = False
    try:
        PELICANS_INIT(self, settings, cache_name, caching_policy, load_policy)
    except (EOFError, ValueError, AttributeError, ImportError, IndexError, pickle.UnpicklingError) as error:
        logger.warning(
            "incremental: the content cache %s is damaged (%s); every article is read again this time",
            self._cache_path,
            error,
        )
        self._cache = {}
        self._changed = True  # the damaged file is replaced even if nothing is read
        return
    if load_policy and not self._cache and os.path.exists(self._cache_path):
        # Pelican gave up on the file itself (another format: a gzipped cache once GZIP_CACHE is
        # off, another pickle protocol) and warned. Rewritten at the end of this build, or the
        # warning would come back on every build that adds nothing to the cache.
        self._changed = True


def cache_data_noting_change(self, filename, data) -> None:
    """FileDataCacher.cache_data, remembering that the file on disk no longer holds everything."""
    PELICANS_CACHE_DATA(self, filename, data)
    self._changed = True


def get_cached_data_unless_absent(self, filename, default=None):
    """FileStampDataCacher.get_cached_data, without the file's stamp when nothing is cached for it.

    Pelican stamps the file (a stat, or a hash with CHECK_MODIFIED_METHOD) before finding that its
    cache holds nothing: the articles generator, whose cache is off at the default caching layer,
    stamped 10,000 files on every build for nothing.
    """
    if filename not in self._cache:
        return default
    return PELICANS_GET_CACHED_DATA(self, filename, default)


def save_atomically(self) -> None:
    """FileDataCacher.save_cache, when something changed: atomically, forked on a large site."""
    if not self._cache_data_policy:
        return
    if not getattr(self, "_changed", True) and os.path.exists(self._cache_path):
        return
    self._changed = False
    gzipped = self._cache_open is gzip.open
    from .incremental import get_setting  # imported here: incremental.py imports this module

    threshold = get_setting(self.settings, "INCREMENTAL_RENDER_WORKER_MIN_ARTICLES")
    if threshold and len(self._cache) >= threshold:
        _saving.append(
            ForkedCall(
                write_cache,
                self._cache_path,
                self._cache,
                gzipped,
                what="incremental: saving the content cache",
                log=logger,
            )
        )
    else:
        write_cache(self._cache_path, self._cache, gzipped)


def wait_for_saves() -> None:
    """Return once every content cache being written by a forked process is on disk (or failed)."""
    while _saving:
        _saving.pop().result("the articles it lacks are read again next time")


def write_cache(path: str, cache: dict, gzipped: bool) -> None:
    """Write a content cache to a temporary file beside path and rename it into place."""
    folder = os.path.dirname(path) or "."
    temporary = None
    try:
        os.makedirs(folder, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix="-" + os.path.basename(path))
        os.close(handle)
        os.chmod(temporary, 0o644)  # as Pelican's own file (mkstemp makes it private)
        # gzip level 1 rather than 9: the cache is rewritten by every build that reads a changed file.
        opener = functools.partial(gzip.open, compresslevel=1) if gzipped else open
        with opener(temporary, "wb") as output:
            pickle.dump(cache, output)
        os.replace(temporary, path)
        temporary = None
    except (OSError, pickle.PicklingError, TypeError) as error:
        logger.warning("incremental: could not save the content cache %s (%s)", path, error)
    finally:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)


def patch_content_cache() -> None:
    """Install the replacements on Pelican's cache classes."""
    FileDataCacher.__init__ = load_tolerantly
    FileDataCacher.cache_data = cache_data_noting_change
    FileDataCacher.save_cache = save_atomically
    FileStampDataCacher.get_cached_data = get_cached_data_unless_absent
