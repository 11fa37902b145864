"""The daemon's garbage collection: start-up objects frozen out, the rest collected on a clock
(see pbx_bridge/gc_pacing.py and fault scenario 6)."""

from __future__ import annotations

import asyncio
import gc

import pytest

from pbx_bridge.gc_pacing import (
    GcPace,
    collections_paused,
    freeze_start_up_objects,
    pace_collections,
)

# The event loop's clock runs fast when the loop idles (looptime): timeouts and sleeps
# take their full loop time but no real time.
pytestmark = pytest.mark.looptime


def test_what_start_up_made_is_frozen_out_of_later_collections() -> None:
    kept = {"configuration": ["as", "loaded"]}
    try:
        freeze_start_up_objects()
        assert gc.get_freeze_count() > 0
        assert not any(kept is o for o in gc.get_objects())  # no collection walks it again
    finally:
        gc.unfreeze()


def test_the_pace_collects_young_often_middle_now_and_then_old_seldom() -> None:
    pace = GcPace(young_every_s=0.05, middle_every=10, old_every=1200)
    generations = [pace.generation(tick) for tick in range(1, 1201)]
    assert generations.count(2) == 1 and generations[-1] == 2  # once a minute
    assert generations.count(1) == 119  # every half second, but for the minute's
    assert generations[:9] == [0] * 9 and generations[9] == 1


async def test_the_pacer_collects_on_its_clock() -> None:
    collected: list[int] = []

    def collect(generation: int) -> int:
        collected.append(generation)
        return gc.collect(generation)

    pacer = asyncio.create_task(
        pace_collections(GcPace(young_every_s=0.01, middle_every=3, old_every=7), collect)
    )
    while len(collected) < 7:
        await asyncio.sleep(0.01)
    pacer.cancel()
    await asyncio.gather(pacer, return_exceptions=True)
    assert collected[:7] == [0, 0, 1, 0, 0, 1, 2]


async def test_cyclic_garbage_is_freed_by_the_pacer_alone() -> None:
    class Node:
        def __init__(self) -> None:
            self.me = self

    gc.collect()
    gc.disable()  # CPython's own trigger off: only the pacer collects
    try:
        pacer = asyncio.create_task(pace_collections(GcPace(young_every_s=0.01)))
        for _ in range(1000):
            Node()
        await asyncio.sleep(0.05)
        alive = sum(isinstance(o, Node) for o in gc.get_objects())
        pacer.cancel()
        await asyncio.gather(pacer, return_exceptions=True)
    finally:
        gc.enable()
    assert alive == 0


async def test_the_pacer_rests_while_paused() -> None:
    collected: list[int] = []
    paused = True

    def collect(generation: int) -> int:
        collected.append(generation)
        return 0

    pacer = asyncio.create_task(
        pace_collections(GcPace(young_every_s=0.005), collect, paused=lambda: paused)
    )
    await asyncio.sleep(0.05)
    assert collected == []
    paused = False
    await asyncio.sleep(0.05)
    pacer.cancel()
    await asyncio.gather(pacer, return_exceptions=True)
    assert collected


def test_collections_paused_turns_cpython_collections_off_and_back_on() -> None:
    assert gc.isenabled()
    with collections_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
