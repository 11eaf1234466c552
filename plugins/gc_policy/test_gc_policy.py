"""Tests of the garbage-collection policy: when survivors are frozen, and that a build releases them."""

import gc

import pytest

from plugins.gc_policy import FREEZE_BELOW, freeze_live_survivors, release_build, start_watching, survivors_are_live


@pytest.fixture(autouse=True)
def unfrozen():
    gc.unfreeze()
    yield
    release_build()


@pytest.mark.parametrize(
    ("phase", "info", "expected"),
    [
        ("stop", {"generation": 2, "collected": 0, "uncollectable": 0}, True),
        ("stop", {"generation": 2, "collected": FREEZE_BELOW - 1, "uncollectable": 0}, True),
        ("stop", {"generation": 2, "collected": FREEZE_BELOW, "uncollectable": 0}, False),
        ("stop", {"generation": 1, "collected": 0, "uncollectable": 0}, False),
        ("start", {"generation": 2}, False),
    ],
)
def test_only_a_fruitless_full_collection_counts_as_live_survivors(phase, info, expected):
    assert survivors_are_live(phase, info) is expected


def test_a_fruitless_full_collection_freezes_what_survived():
    kept = [[i] for i in range(1000)]
    gc.collect()  # whatever earlier tests left
    start_watching()
    gc.collect()  # nothing left to free: the survivors are frozen
    assert gc.get_freeze_count() >= len(kept)
    release_build()
    assert gc.get_freeze_count() == 0
    assert freeze_live_survivors not in gc.callbacks


def test_garbage_made_after_a_freeze_is_still_collected():
    gc.collect()  # whatever earlier tests left
    start_watching()
    gc.collect()
    assert gc.get_freeze_count() > 0
    gc.disable()  # the cycles wait for the collection below
    try:
        for _ in range(FREEZE_BELOW * 2):
            cycle = []
            cycle.append(cycle)
        del cycle
        assert gc.collect() >= FREEZE_BELOW * 2
    finally:
        gc.enable()


def test_watching_twice_installs_one_callback():
    start_watching()
    start_watching()
    assert gc.callbacks.count(freeze_live_survivors) == 1
