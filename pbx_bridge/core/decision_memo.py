"""Routing decisions remembered for the minute they hold.

A decision is a pure function of the configuration, the ad hoc closures, the call's dialled
and redirecting numbers and the minute: service hours are whole minutes of local time,
closures end on whole minutes (and a new one is a new Closures), holidays and exceptions
whole days, and the caller's own number plays no part. Under load the same few
numbers are called many times a minute, and taking the decision again for each call is a
tenth of a FastAGI session's work (more when the tenant is closed, as the next opening is
looked for). The memo keeps the current minute's decisions only, bounded in number, and
forgets them when the configuration or the closures change (a reload brings a new
directory, a changed closures file a new Closures).

Figure: without it, +5.2 % (open) and +15.2 % (closed) instructions per FastAGI session
(benchmarks/agi_instructions.py; docs/decisions/0011).
"""

from __future__ import annotations

from datetime import datetime

from pbx_bridge.core.closures import NO_CLOSURES, Closures
from pbx_bridge.core.routing import CallRequest, Decision, decide
from pbx_bridge.core.tenants import TenantDirectory

MAX_REMEMBERED = 4096  # distinct (dialled, redirecting) pairs within one minute


class DecisionMemo:
    """`decide()` with the answers of the current minute remembered."""

    def __init__(self, limit: int = MAX_REMEMBERED) -> None:
        self._limit = limit
        self._directory: TenantDirectory | None = None
        self._closures = NO_CLOSURES
        self._minute = 0
        self._decisions: dict[tuple[str | None, str | None], Decision] = {}

    def decide(
        self,
        directory: TenantDirectory,
        call: CallRequest,
        at: datetime,
        closures: Closures = NO_CLOSURES,
    ) -> Decision:
        """The same as `decide(directory, call, at, closures)`."""
        if at.utcoffset() is None:  # naive: not remembered, decide() says what it says
            return decide(directory, call, at, closures)
        # Whole UTC minutes are whole local minutes: every zone in use is offset from UTC by
        # whole minutes.
        minute = int(at.timestamp() // 60)
        if (
            directory is not self._directory
            or minute != self._minute
            or closures is not self._closures
        ):
            self._decisions = {}
            self._directory, self._minute, self._closures = directory, minute, closures
        key = (call.dialled, call.redirecting)
        decision = self._decisions.get(key)
        if decision is None:
            if len(self._decisions) >= self._limit:
                self._decisions = {}  # made-up numbers by the thousand: start the minute over
            decision = self._decisions[key] = decide(directory, call, at, closures)
        return decision
