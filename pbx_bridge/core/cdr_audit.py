"""Asterisk's calls (from its CDR) against the call log: what differs, per day and tenant.

Outcomes are compared as Asterisk saw them: the log's tracked outcome, before any wrap-up
(an agent's *81 makes a resolved call a callback; the CDR cannot know that). Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from pbx_bridge.core.calls import CallRecord, Outcome
from pbx_bridge.core.outcomes import UNSEEN_END_DETAIL

# The detail of a record the tracker could only guess: its call ended while AMI was down.
# The CDR knows how such a call really ended.
GUESSED_DETAIL = UNSEEN_END_DETAIL


@dataclass(frozen=True)
class LoggedCall:
    """What the audit needs of a call-log row."""

    call_id: str
    started: datetime
    tracked_outcome: Outcome
    tenant: str | None = None
    detail: str | None = None
    source: str | None = None

    @property
    def guessed(self) -> bool:
        return self.source is None and self.detail == GUESSED_DETAIL


class DifferenceKind(StrEnum):
    MISSING = "missing"  # Asterisk has the call, the log has none
    EXTRA = "extra"  # the log has a call Asterisk's CDR has not
    TENANT = "tenant"  # both have it, for different tenants
    OUTCOME = "outcome"  # both have it, with different outcomes (or the log's was guessed)


@dataclass(frozen=True)
class Difference:
    kind: DifferenceKind
    call_id: str
    started: datetime
    asterisk: str | None  # the CDR's tenant or outcome (MISSING: its outcome)
    log: str | None

    def describe(self, zone: ZoneInfo) -> str:
        at = self.started.astimezone(zone).strftime("%H:%M:%S")
        sides = f"asterisk={self.asterisk or '-'}  log={self.log or '-'}"
        return f"{self.kind.value:8} {self.call_id:24} {at}  {sides}"


@dataclass
class DayTenant:
    day: date
    tenant: str | None
    asterisk: int = 0  # calls in Asterisk's CDR
    log: int = 0  # calls in the call log
    differences: list[Difference] = field(default_factory=list)


def needs_writing(cdr: CallRecord, logged: LoggedCall | None) -> str | None:
    """Why reconciliation writes the CDR's record of a call: "missing", "corrected" or None."""
    if logged is None:
        return "missing"
    if logged.guessed and cdr.outcome is not logged.tracked_outcome:
        return "corrected"
    return None


def compare(
    cdr_calls: Iterable[CallRecord], logged: Mapping[str, LoggedCall], zone: ZoneInfo
) -> list[DayTenant]:
    """Every (local day, tenant) either side has, in order, with its differences."""
    groups: dict[tuple[date, str | None], DayTenant] = {}

    def group(started: datetime, tenant: str | None) -> DayTenant:
        key = (started.astimezone(zone).date(), tenant)
        if key not in groups:
            groups[key] = DayTenant(*key)
        return groups[key]

    seen: set[str] = set()
    for call in cdr_calls:
        seen.add(call.call_id)
        entry = group(call.started, call.tenant)
        entry.asterisk += 1
        found = logged.get(call.call_id)
        if found is None:
            entry.differences.append(
                Difference(DifferenceKind.MISSING, call.call_id, call.started, call.outcome, None)
            )
            continue
        entry.log += 1
        if found.tenant != call.tenant:
            entry.differences.append(
                Difference(
                    DifferenceKind.TENANT, call.call_id, call.started, call.tenant, found.tenant
                )
            )
        if found.guessed or found.tracked_outcome is not call.outcome:
            log_says = found.tracked_outcome.value + (" (guessed)" if found.guessed else "")
            entry.differences.append(
                Difference(
                    DifferenceKind.OUTCOME, call.call_id, call.started, call.outcome, log_says
                )
            )
    for call_id, found in logged.items():
        if call_id not in seen:
            entry = group(found.started, found.tenant)
            entry.log += 1
            entry.differences.append(
                Difference(
                    DifferenceKind.EXTRA, call_id, found.started, None, found.tracked_outcome
                )
            )
    return [groups[key] for key in sorted(groups, key=lambda k: (k[0], k[1] or ""))]
