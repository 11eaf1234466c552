"""Keep Python's garbage collector from re-scanning the site's content while pages are written.

Once the generators have read everything, the articles, their terms and caches are millions of
long-lived objects. Each full collection walks all of them, and writing 20,000 pages allocates
enough to start one every few hundred pages: on 10,000 articles that was about 6 s of every
rebuild, billed to whatever line happened to allocate. gc.freeze() moves the objects alive at
that point out of the collector's sight (they are not garbage: the build holds them to the end);
what is allocated afterwards is still collected as usual. The build unfreezes when it ends, so a
live-reload server building again in the same process gets them back.
"""

import gc
import logging

from pelican import signals

logger = logging.getLogger(__name__)


def freeze(*_args) -> None:
    """Collect once, then exempt every object alive now from later collections."""
    gc.collect()
    gc.freeze()
    logger.debug("gc_freeze: %d objects frozen", gc.get_freeze_count())


def unfreeze(*_args) -> None:
    """Give the frozen objects back to the collector (the build is over)."""
    gc.unfreeze()


def register() -> None:
    """Freeze once the content is read; unfreeze when the build ends."""
    signals.all_generators_finalized.connect(freeze)
    signals.finalized.connect(unfreeze)
