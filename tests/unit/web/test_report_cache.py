"""The Reports page's cache: one computation per report however many ask, never older than
its age limit, bounded in size."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

from pbx_bridge.core.named_periods import Period
from pbx_bridge.web.reports.cache import ReportCache
from tests.unit.web.console_bed import NOW, Clock

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))


class Counting:
    def __init__(self, delay_s: float = 0.0) -> None:
        self.calls: list[tuple[str | None, Period]] = []
        self.delay_s = delay_s

    def __call__(self, tenant: str | None, period: Period) -> str:
        time.sleep(self.delay_s)
        self.calls.append((tenant, period))
        return f"report {tenant} #{len(self.calls)}"


def test_a_report_is_computed_once_and_again_only_when_too_old() -> None:
    clock, compute = Clock(), Counting()
    cache = ReportCache(compute, clock, max_age=timedelta(minutes=5))
    first = cache.get("gifhorn", YEAR)
    assert cache.get("gifhorn", YEAR) == first
    assert first.computed == NOW
    clock.now = NOW + timedelta(minutes=5, seconds=1)
    assert cache.get("gifhorn", YEAR).value == "report gifhorn #2"
    assert cache.get("meinersen", YEAR).value == "report meinersen #3"


def test_simultaneous_requests_for_one_report_compute_it_once() -> None:
    compute = Counting(delay_s=0.2)
    cache = ReportCache(compute, Clock())
    results: list[object] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get(None, YEAR).value))
        for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["report None #1"] * 5
    assert len(compute.calls) == 1


def test_refresh_recomputes_and_the_oldest_entries_leave_first() -> None:
    compute = Counting()
    cache = ReportCache(compute, Clock(), capacity=2)
    cache.get("a", YEAR)
    cache.get("b", YEAR)
    assert cache.refresh([("a", YEAR)]) == 1
    assert cache.get("a", YEAR).value == "report a #3"
    cache.get("c", YEAR)  # evicts b, the least recently used
    cache.get("b", YEAR)
    assert compute.calls[-1] == ("b", YEAR)
    assert len(compute.calls) == 5
