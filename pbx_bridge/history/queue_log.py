"""Read Asterisk's queue_log (the file FreePBX and QueueMetrics read) into call-log rows.

A line is `epoch|callid|queue|agent|event|data1|data2|…`. The callid is the caller's channel
uniqueid, which is the call's Linkedid for inbound calls: the key the daemon records under.
A call's lines are collected from ENTERQUEUE to the event that ends it:

| event | outcome | wait, talk |
|---|---|---|
| COMPLETECALLER, COMPLETEAGENT | resolved | holdtime, calltime |
| BLINDTRANSFER, ATTENDEDTRANSFER | transferred | holdtime, calltime |
| ABANDON, EXITWITHKEY | abandoned | waittime |
| EXITWITHTIMEOUT, EXITEMPTY | overflow | waittime |

CONNECT marks the answer (agent, holdtime). Lines of other events are skipped; a call whose
end is not in the file (still in progress when it was copied) is counted, not imported.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.privacy import PrivacyPolicy, stored_caller
from pbx_bridge.history.calls_csv import RowError

QUEUE_LOG_NODE = "queue_log"  # the call log's node for calls imported from a queue_log

_ENDS: dict[str, Outcome] = {
    "COMPLETECALLER": Outcome.RESOLVED,
    "COMPLETEAGENT": Outcome.RESOLVED,
    "BLINDTRANSFER": Outcome.TRANSFERRED,
    "ATTENDEDTRANSFER": Outcome.TRANSFERRED,
    "ABANDON": Outcome.ABANDONED,
    "EXITWITHKEY": Outcome.ABANDONED,
    "EXITWITHTIMEOUT": Outcome.OVERFLOW,
    "EXITEMPTY": Outcome.OVERFLOW,
}
# Where the wait (and for answered calls the talk time) stands among the data fields.
_WAIT_FIELD = {
    "COMPLETECALLER": 0,
    "COMPLETEAGENT": 0,
    "BLINDTRANSFER": 2,
    "ATTENDEDTRANSFER": 2,
    "ABANDON": 2,
    "EXITWITHKEY": 3,
    "EXITWITHTIMEOUT": 2,
    "EXITEMPTY": 2,
}
_TALK_FIELD = {"COMPLETECALLER": 1, "COMPLETEAGENT": 1, "BLINDTRANSFER": 3, "ATTENDEDTRANSFER": 3}


@dataclass(frozen=True)
class QueueTarget:
    tenant: str | None  # None: the queue's calls are unrouted
    department: str | None = None


def parse_queue_map(entries: Iterable[str], tenants: Iterable[str]) -> dict[str, QueueTarget]:
    """`QUEUE=TENANT[:DEPARTMENT]` entries (comma-separated too); ValueError if one is bad."""
    known = set(tenants)
    mapping: dict[str, QueueTarget] = {}
    for entry in (part.strip() for text in entries for part in text.split(",")):
        if not entry:
            continue
        queue, sep, target = entry.partition("=")
        if not sep or not queue.strip():
            raise ValueError(f"--queue-map {entry!r} is not QUEUE=TENANT[:DEPARTMENT]")
        tenant, _, department = (part.strip() for part in target.partition(":"))
        if tenant and tenant not in known:
            raise ValueError(f"--queue-map {entry!r}: unknown tenant {tenant!r}")
        mapping[queue.strip()] = QueueTarget(tenant or None, department or None)
    if not mapping:
        raise ValueError("--queue-map names no queue")
    return mapping


@dataclass
class _Call:
    line: int
    entered: datetime
    queue: str
    caller: str | None
    answered: datetime | None = None
    agent: str | None = None


@dataclass
class QueueLogCounts:
    unfinished: int = 0  # calls whose end is not in the file
    unmapped_queues: set[str] = field(default_factory=set)


def _seconds(fields: list[str], index: int | None) -> float | None:
    if index is None or index >= len(fields) or not fields[index].strip():
        return None
    value = float(fields[index])
    if not 0 <= value < 86_400:
        raise ValueError(f"{value} is not a number of seconds")
    return value


def read_queue_log(
    lines: Iterable[str],
    queues: Mapping[str, QueueTarget],
    privacy: PrivacyPolicy,
    counts: QueueLogCounts,
) -> Iterator[dict[str, Any] | RowError]:
    """Each finished call as a call-log row, or a RowError for a line that cannot be read."""
    open_calls: dict[str, _Call] = {}
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        parts = line.split("|")
        if len(parts) < 5:
            yield RowError(number, "not a queue_log line (epoch|callid|queue|agent|event|…)")
            continue
        epoch, callid, queue, agent, event, *data = parts
        try:
            when = datetime.fromtimestamp(float(epoch), UTC)
        except (ValueError, OverflowError, OSError):
            yield RowError(number, f"time {epoch!r} is not a Unix timestamp")
            continue
        if event == "ENTERQUEUE":
            if queue not in queues:
                counts.unmapped_queues.add(queue)
                yield RowError(number, f"queue {queue!r} is not in --queue-map")
                continue
            caller = data[1] if len(data) > 1 else None
            stored = stored_caller(caller, withheld=False, policy=privacy)
            open_calls[callid] = _Call(number, when, queue, stored)
            continue
        call = open_calls.get(callid)
        if call is None:
            continue  # a member or queue event, or a call that entered before the file begins
        try:
            if event == "CONNECT":
                hold = _seconds(data, 0) or 0.0
                call.answered = call.entered + timedelta(seconds=hold)
                call.agent = agent if agent and agent != "NONE" else None
                continue
            outcome = _ENDS.get(event)
            if outcome is None:
                continue
            wait = _seconds(data, _WAIT_FIELD[event])
            talk = _seconds(data, _TALK_FIELD.get(event))
        except ValueError as error:
            yield RowError(number, f"{event}: {error}")
            continue
        del open_calls[callid]
        yield _row(
            callid,
            call,
            outcome=outcome,
            wait=wait,
            talk=talk,
            ended=when,
            target=queues[call.queue],
        )
    counts.unfinished += len(open_calls)


def _row(
    callid: str,
    call: _Call,
    *,
    outcome: Outcome,
    wait: float | None,
    talk: float | None,
    ended: datetime,
    target: QueueTarget,
) -> dict[str, Any]:
    answered = call.answered if outcome in (Outcome.RESOLVED, Outcome.TRANSFERRED) else None
    if answered is None and outcome in (Outcome.RESOLVED, Outcome.TRANSFERRED):
        answered = call.entered + timedelta(seconds=wait or 0.0)
    if answered is not None and wait is None:
        wait = (answered - call.entered).total_seconds()
    tenant = target.tenant
    final = Outcome.UNROUTED if tenant is None else outcome
    return {
        "node": QUEUE_LOG_NODE,
        "call_id": callid[:64],
        "tenant": tenant,
        "department": target.department,
        "outcome": final.value,
        "started": call.entered,
        "ended": max(ended, call.entered),
        "queued": call.entered,
        "answered": answered,
        "wait_s": wait,
        "talk_s": talk,
        "caller": call.caller,
        "queue": call.queue,
        "agent": call.agent,
        "detail": None if final is outcome else f"queue_log: {outcome.value}",
        "decided_by": QUEUE_LOG_NODE,
        "tracked_outcome": final.value,
        "tracked_department": target.department,
    }
