"""Reports kept for a few minutes, and the named periods of every tenant kept warm.

A year's report over a large tenant reads every call of the year (seconds on SQLite with
a million and more), while the figures of a period change only by the calls of its last
minutes; so the Reports page serves a report computed at most `max_age` ago and says when
it was computed, and a background pass recomputes the periods supervisors open most. The
JSON API never uses this cache: it returns what `pbx-bridge report` prints at that moment.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pbx_bridge.core.named_periods import Period

Key = tuple[str | None, Period]


@dataclass(frozen=True)
class CachedReport:
    value: Any
    computed: datetime


class ReportCache:
    def __init__(
        self,
        compute: Callable[[str | None, Period], Any],
        clock: Callable[[], datetime],
        *,
        max_age: timedelta = timedelta(minutes=5),
        capacity: int = 256,
    ) -> None:
        self._compute = compute
        self._clock = clock
        self.max_age = max_age
        self._capacity = capacity
        self._entries: OrderedDict[Key, CachedReport] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Key, threading.Lock] = {}

    def get(self, tenant: str | None, period: Period) -> CachedReport:
        """A report at most `max_age` old; computed now (once, however many ask) if none is."""
        key = (tenant, period)
        found = self._fresh(key)
        if found is not None:
            return found
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:  # a second request for the same report waits for the first
            found = self._fresh(key)
            if found is not None:
                return found
            return self._store(key)

    def refresh(self, keys: Iterable[Key]) -> int:
        """Recompute these reports (the background pass); returns how many."""
        count = 0
        for key in keys:
            with self._lock:
                computing = self._computing.setdefault(key, threading.Lock())
            with computing:
                self._store(key)
            count += 1
        return count

    def _fresh(self, key: Key) -> CachedReport | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None or self._clock() - found.computed > self.max_age:
                return None
            self._entries.move_to_end(key)
            return found

    def _store(self, key: Key) -> CachedReport:
        started = self._clock()
        entry = CachedReport(self._compute(*key), started)
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
        return entry
