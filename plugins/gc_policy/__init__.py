"""Keep Python's garbage collector from walking a large build's long-lived objects again and again.

A 10,000-article build holds millions of objects (articles, their metadata, the memo of every
digest) from reading to the end. Each full collection walks all of them and, measured on the
benchmark corpus, finds nothing: ten of them took 2.5 s of a 19 s rebuild, and the final one at
interpreter exit another 1.4 s. So, after a full collection that freed (almost) nothing, what
survived is frozen (gc.freeze): later collections walk only objects made since, and forked
workers do not copy the pages that collections would otherwise write to. Cyclic garbage made
during the build is still collected while young; at the end of a build everything is unfrozen,
so a long-running `make serve` frees what the previous build left. At exit the objects are
frozen once more: the operating system takes back the memory without a last walk.
"""

from __future__ import annotations

import atexit
import gc

from pelican import signals

# A full collection that frees fewer objects than this found the heap to be live data.
FREEZE_BELOW = 1000


def survivors_are_live(phase: str, info: dict) -> bool:
    """Return whether a garbage collection just ended was a full one that freed (almost) nothing."""
    return phase == "stop" and info.get("generation") == 2 and info.get("collected", 0) < FREEZE_BELOW


def freeze_live_survivors(phase: str, info: dict) -> None:
    """gc callback: freeze what survived a full collection that found no garbage."""
    if survivors_are_live(phase, info):
        gc.freeze()


def start_watching(sender=None) -> None:
    """Watch the collections while a build runs (Pelican's start, or each generator's: the first counts)."""
    if freeze_live_survivors not in gc.callbacks:
        gc.callbacks.append(freeze_live_survivors)


def release_build(pelican=None) -> None:
    """Stop watching and let the collector see everything again (a server runs the next build)."""
    while freeze_live_survivors in gc.callbacks:
        gc.callbacks.remove(freeze_live_survivors)
    gc.unfreeze()


_exit_hook: list[bool] = []


def register() -> None:
    """Connect the gc_policy plugin."""
    # From the start: the generators' first act is to unpickle the content cache (48 MB at 10,000
    # articles), during which full collections already walk what was just loaded.
    signals.initialized.connect(start_watching)
    signals.generator_init.connect(start_watching)
    signals.finalized.connect(release_build)
    if not _exit_hook:  # Pelican registers the plugins again for every site built in one process
        _exit_hook.append(True)
        atexit.register(gc.freeze)
