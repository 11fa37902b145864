"""Garbage collections on a clock, besides those CPython's allocation count starts.

CPython starts a young collection once allocations minus deallocations of tracked objects
pass 700. The daemon's FastAGI connections live for seconds and die by reference counting,
and every such death lowers the count. Under steady churn (some 300 connections a second,
1,000 of them idle, as in the hostile-peers fault scenario) the count hardly grows while the
young generation fills with everything made since the last collection: 15,000 to 48,000
objects, collections of 10-40 ms, each one stalling every call in flight.

The pacer adds collections on a clock: the young generation every 50 ms (a few hundred
objects, well under a millisecond), the middle one every half second and the old one every
minute. CPython's own trigger stays as it is: under a burst of allocations (2,000 decisions a
second) it still collects every 700 net allocations, where waiting for the clock would let
the young generation grow to 30,000 objects between two ticks.

Figure: under the hostile-peers flood, collections of at most 0.4 ms (young) and 1.6 ms
(middle), against 8.8 ms (middle) and 17 ms (old) without the pacer, where fault scenario 6
leaves 11 ms of headroom at p99 (benchmarks/gc_pauses.py; docs/decisions/0011).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass


def freeze_start_up_objects() -> None:
    """Keep what start-up made (modules, the configuration, the database engine: some 40,000
    objects) out of every later garbage collection. A full collection walks every tracked
    object, and while it does the event loop, and so every call in flight, waits. Figure:
    full collections of 96-162 ms without the freeze under the hostile-peers flood
    (docs/decisions/0003)."""
    gc.collect()
    gc.freeze()


@contextlib.contextmanager
def collections_paused() -> Iterator[None]:
    """No collection, CPython's or the pacer's, while a reload builds a configuration in a
    worker thread: each would walk the half-built objects with the GIL held and stall the
    event loop (100-350 ms measured at half a megabyte of YAML). Reference counting still
    frees what the reload drops; the collections resume after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class GcPace:
    young_every_s: float = 0.05
    middle_every: int = 10  # young collections: half a second
    old_every: int = 1200  # young collections: a minute

    def generation(self, tick: int) -> int:
        """The oldest generation collected at the `tick`-th tick (from 1)."""
        if tick % self.old_every == 0:
            return 2
        if tick % self.middle_every == 0:
            return 1
        return 0


async def pace_collections(
    pace: GcPace | None = None,
    collect: Callable[[int], int] = gc.collect,
    paused: Callable[[], bool] = lambda: False,
) -> None:
    """Collect on `pace` until cancelled, besides CPython's own collections; not while
    `paused()` (a reload under collections_paused)."""
    pace = pace or GcPace()
    for tick in itertools.count(1):
        await asyncio.sleep(pace.young_every_s)
        if not paused():
            collect(pace.generation(tick))
