"""Figures from samples: percentiles, Prometheus histogram quantiles, milliseconds for tables,
best and median time of repeated runs."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Mapping, Sequence

from tests.testbed import tracking


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation; nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def best_and_median(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """The fastest and the median wall time in seconds of `runs` calls of `action`."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def ms(seconds: float) -> str:
    """Milliseconds for a table cell ('-' for nan)."""
    if math.isnan(seconds):
        return "-"
    value = seconds * 1000
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def histogram_quantile(q: float, buckets: Mapping[float, float]) -> float:
    """Prometheus' histogram_quantile over cumulative bucket counts {le: count}; nan if empty."""
    bounds = sorted(buckets)
    total = buckets[bounds[-1]] if bounds else 0
    if total <= 0:
        return math.nan
    rank = q * total
    previous_bound, previous_count = 0.0, 0.0
    for bound in bounds:
        count = buckets[bound]
        if count >= rank:
            if math.isinf(bound):
                return previous_bound
            inside = count - previous_count
            fraction = (rank - previous_count) / inside if inside else 0.0
            return previous_bound + (bound - previous_bound) * fraction
        previous_bound, previous_count = bound, count
    return previous_bound


def decision_buckets(scrape: tracking.Scrape) -> dict[float, float]:
    """Cumulative buckets of pbxb_routing_decision_seconds from one scrape."""
    out: dict[float, float] = {}
    for (name, labels), value in scrape.samples.items():
        if name == "pbxb_routing_decision_seconds_bucket":
            out[float(dict(labels)["le"])] = value
    return out
