"""Shorter GIL turns while a worker thread computes beside the event loop.

The event loop gives up the GIL at every select() and must win it back for each callback
of a FastAGI session; a CPU-bound thread holds it for the whole switch interval (5 ms)
each time before it must hand it over, so one decision of a few round trips waited 20 to
50 ms behind a reload (the "convoy effect"). Turns of 0.5 ms keep that under a few
milliseconds and cost the worker a little switching.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

SHORT_TURN_S = 0.0005


@contextlib.contextmanager
def short_gil_turns(turn_s: float = SHORT_TURN_S) -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, turn_s))
    try:
        yield
    finally:
        sys.setswitchinterval(before)
