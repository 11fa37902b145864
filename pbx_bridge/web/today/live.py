"""Callers waiting now, read from the daemon's metrics endpoint (never from its process)."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families

WAITING = "pbxb_callers_waiting"
LONGEST = "pbxb_longest_wait_seconds"
# The Today page must answer in well under 200 ms even when the daemon is down.
TIMEOUT_S = 0.25
MAX_BODY = 4 * 1024 * 1024


@dataclass(frozen=True)
class LiveQueue:
    available: bool  # False: the daemon's metrics did not answer
    waiting: dict[str, int] = field(default_factory=dict)  # tenant ('' unrouted) -> callers
    longest_s: dict[str, float] = field(default_factory=dict)


def parse_metrics(text: str) -> LiveQueue:
    waiting: dict[str, int] = {}
    longest: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            tenant = sample.labels.get("tenant", "")
            if sample.name == WAITING:
                waiting[tenant] = int(sample.value)
            elif sample.name == LONGEST:
                longest[tenant] = float(sample.value)
    return LiveQueue(True, waiting, longest)


def metrics_reader(url: str | None) -> Callable[[], LiveQueue]:
    def read() -> LiveQueue:
        if url is None:
            return LiveQueue(False)
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
                body = response.read(MAX_BODY).decode("utf-8", "replace")
            return parse_metrics(body)
        except (OSError, ValueError):
            return LiveQueue(False)

    return read
