"""How many lines refused FastAGI connections may write: a port scanner must not fill the journal.

The first few refusals of each reason in an interval are logged in full (a misconfigured
client stays visible with its peer and error); the rest are only counted, and one summary
line per reason ends the interval. The metrics counter counts every refusal regardless.
Time is an argument (`now`, seconds of a monotonic clock), so the budget is a pure function
of the refusals and the instants it is given.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

SUMMARY_INTERVAL_S = 60.0
FULL_LINES_PER_INTERVAL = 5  # per reason


@dataclass
class RefusalBudget:
    interval: float = SUMMARY_INTERVAL_S
    full_lines: int = FULL_LINES_PER_INTERVAL
    _started: float | None = None
    _logged: Counter[str] = field(default_factory=Counter)
    _suppressed: Counter[str] = field(default_factory=Counter)

    def admit(self, reason: str, now: float) -> bool:
        """Whether this refusal gets its own log line; if not, it is counted for the summary."""
        if self._started is None:
            self._started = now
        if self._logged[reason] < self.full_lines:
            self._logged[reason] += 1
            return True
        self._suppressed[reason] += 1
        return False

    def summaries(self, now: float) -> list[tuple[str, int]]:
        """Once the interval is over: (reason, refusals not logged) for each reason that had
        some, and a new interval begins. Before that, nothing."""
        if self._started is None or now - self._started < self.interval:
            return []
        due = sorted(self._suppressed.items())
        self._started = None
        self._logged.clear()
        self._suppressed.clear()
        return due
