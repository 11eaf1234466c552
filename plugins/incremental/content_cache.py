"""Pelican's content cache, written atomically and ignored (with a warning) when damaged.

Pelican writes its cache files in place, so a build stopped while saving them (Ctrl-C in
`make serve`, a full disk) leaves a truncated gzip file, and every later build then stops at once
with "EOFError: Compressed file ended before the end-of-stream marker was reached": Pelican only
recovers from OSError and pickle errors. Here a cache is written to a temporary file beside it
and renamed into place, and a cache that cannot be read is reported and treated as empty (the
content is simply read again).
"""

import functools
import gzip
import logging
import os
import pickle
import tempfile

from pelican.cache import FileDataCacher

logger = logging.getLogger(__name__)

PELICANS_INIT = FileDataCacher.__init__


def load_tolerantly(self, settings, cache_name, caching_policy, load_policy):
    """FileDataCacher.__init__, starting with an empty cache when the file is damaged."""
    try:
        PELICANS_INIT(self, settings, cache_name, caching_policy, load_policy)
    except (EOFError, ValueError, AttributeError, ImportError, IndexError, pickle.UnpicklingError) as error:
        logger.warning(
            "incremental: the content cache %s is damaged (%s); every article is read again this time",
            self._cache_path,
            error,
        )
        self._cache = {}


def save_atomically(self) -> None:
    """FileDataCacher.save_cache, writing a temporary file and renaming it over the old one."""
    if not self._cache_data_policy:
        return
    folder = os.path.dirname(self._cache_path) or "."
    temporary = None
    try:
        os.makedirs(folder, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=folder, prefix=".tmp-", suffix="-" + os.path.basename(self._cache_path)
        )
        os.close(handle)
        os.chmod(temporary, 0o644)  # as Pelican's own file (mkstemp makes it private)
        # gzip level 1 rather than 9: the cache is rewritten by every build that reads a changed file.
        opener = functools.partial(gzip.open, compresslevel=1) if self._cache_open is gzip.open else open
        with opener(temporary, "wb") as output:
            pickle.dump(self._cache, output)
        os.replace(temporary, self._cache_path)
        temporary = None
    except (OSError, pickle.PicklingError, TypeError) as error:
        logger.warning("incremental: could not save the content cache %s (%s)", self._cache_path, error)
    finally:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)


def patch_content_cache() -> None:
    """Install both replacements on Pelican's cache class."""
    FileDataCacher.__init__ = load_tolerantly
    FileDataCacher.save_cache = save_atomically
