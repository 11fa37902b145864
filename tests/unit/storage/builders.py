"""Records as the tracker writes them, with only what a test cares about spelled out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pbx_bridge.core.calls import CallRecord, Outcome, Wrapup
from tests.unit.core.factories import at

NODE = "ast1"


def answered(
    call_id: str,
    started: str = "2019-04-01T09:00",
    *,
    wait_s: float = 10.0,
    talk_s: float = 120.0,
    outcome: Outcome = Outcome.RESOLVED,
    tenant: str | None = "gifhorn",
    **fields: Any,
) -> CallRecord:
    """An answered call of `tenant` that started at local Berlin time `started`."""
    begin = at(started)
    queued = begin + timedelta(seconds=5)
    picked_up = queued + timedelta(seconds=wait_s)
    values: dict[str, Any] = {
        "call_id": call_id,
        "node": NODE,
        "started": begin,
        "ended": picked_up + timedelta(seconds=talk_s),
        "outcome": outcome,
        "tenant": tenant,
        "department": "Zentrale",
        "queued": queued,
        "answered": picked_up,
        "wait_s": wait_s,
        "talk_s": talk_s,
        "agent": "agent07",
        "caller": "+49537112xxx",
    }
    values.update(fields)
    return CallRecord(**values)


def unanswered(
    call_id: str,
    outcome: Outcome,
    started: str = "2019-04-01T09:00",
    *,
    wait_s: float | None = 30.0,
    tenant: str | None = "gifhorn",
    **fields: Any,
) -> CallRecord:
    """Abandoned or overflowed after `wait_s`; closed/unrouted never queued (pass wait_s=None)."""
    begin = at(started)
    queued = None if wait_s is None else begin + timedelta(seconds=5)
    ended = (
        begin + timedelta(seconds=20) if queued is None else queued + timedelta(seconds=wait_s or 0)
    )
    values: dict[str, Any] = {
        "call_id": call_id,
        "node": NODE,
        "started": begin,
        "ended": ended,
        "outcome": outcome,
        "tenant": tenant,
        "department": "Zentrale",
        "queued": queued,
        "wait_s": wait_s,
    }
    values.update(fields)
    return CallRecord(**values)


def wrapup(
    record: CallRecord,
    outcome: Outcome,
    *,
    after: timedelta = timedelta(minutes=2),
    **fields: Any,
) -> Wrapup:
    """A wrap-up for `record`, `after` its end."""
    return Wrapup(call_id=record.call_id, outcome=outcome, at=record.ended + after, **fields)
