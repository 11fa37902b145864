"""A call's record from Asterisk's own CDR rows: whose call it was and how it ended.

Asterisk writes one CDR row per pair of parties (the caller with the agent, then with the
clerk after a transfer); all rows of one call share its Linkedid, the key of the call log.
The routing decision comes from the userfield the dialplan writes after Answer()
(`pbxb:action=queue&decided_by=daemon&tenant=gifhorn&...&queue=TIMEOUT`), and a callback the
caller booked while waiting (`&callback=DIGITS&booked=1`); the rest from the rows themselves.
The mapping is documented in docs/operations.md ("Reconciliation with Asterisk's CDR").
Pure: no I/O, times come with the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl

from pbx_bridge.core.calls import CallRecord, Outcome
from pbx_bridge.core.numbers import try_normalise
from pbx_bridge.core.outcomes import CALLER_CALLBACK_DETAIL
from pbx_bridge.core.privacy import PrivacyPolicy, stored_caller

USERFIELD_PREFIX = "pbxb:"
INBOUND_CONTEXT = "pbx-bridge-inbound"
FORWARD_CONTEXT = "pbx-bridge-forward"
# Queue() statuses after which the caller heard the overflow announcement.
OVERFLOW_STATUSES = frozenset({"TIMEOUT", "FULL", "JOINEMPTY", "LEAVEEMPTY", "JOINUNAVAIL"})
SOURCE = "cdr"  # CallRecord.source of a record made from the CDR
NO_WAIT_DETAIL = "from the CDR: no measured wait"


@dataclass(frozen=True)
class CdrRow:
    """One row of Asterisk's CDR, as every CDR backend has it."""

    linkedid: str
    uniqueid: str
    start: datetime  # timezone-aware
    end: datetime
    answer: datetime | None = None
    sequence: int = 0
    disposition: str = ""  # ANSWERED | NO ANSWER | BUSY | FAILED | CONGESTION
    src: str = ""
    dst: str = ""
    dcontext: str = ""
    channel: str = ""
    dstchannel: str = ""
    lastapp: str = ""
    lastdata: str = ""
    accountcode: str = ""
    userfield: str = ""


def read_userfield(userfield: str) -> dict[str, str]:
    """The pbx-bridge fields of a CDR userfield; {} for anyone else's.

    Asterisk joins the userfields of the two parties with ";", so only the part that starts
    with the prefix counts; a value cut off by a short column keeps what it has.
    """
    for part in (piece.strip() for piece in userfield.split(";")):
        if part.startswith(USERFIELD_PREFIX):
            return dict(parse_qsl(part[len(USERFIELD_PREFIX) :], keep_blank_values=True))
    return {}


def group_by_call(rows: Iterable[CdrRow]) -> dict[str, list[CdrRow]]:
    """Rows by Linkedid, each call's rows in Asterisk's order (start, then sequence)."""
    calls: dict[str, list[CdrRow]] = {}
    for row in rows:
        calls.setdefault(row.linkedid or row.uniqueid, []).append(row)
    for rows_of_call in calls.values():
        rows_of_call.sort(key=lambda row: (row.start, row.sequence))
    return calls


def is_center_call(rows: Sequence[CdrRow]) -> bool:
    """A call of the center entered pbx-bridge-inbound; an agent's own call (*81) did not."""
    return any(read_userfield(row.userfield) for row in rows) or (
        bool(rows) and rows[0].dcontext == INBOUND_CONTEXT
    )


def _decision(rows: Sequence[CdrRow]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for row in rows:
        for key, value in read_userfield(row.userfield).items():
            if value or key not in merged:
                merged[key] = value
    return merged


def _agent_row(rows: Sequence[CdrRow]) -> CdrRow | None:
    """The row in which an agent of the queue answered the caller."""
    for row in rows:
        if row.lastapp == "Queue" and row.dstchannel and row.disposition == "ANSWERED":
            return row
    return None


def _interface(channel: str) -> str:
    """PJSIP/agent1-00000001 -> PJSIP/agent1 (as the tracker names agents)."""
    return channel.rpartition("-")[0] if "-" in channel else channel


def outcome_of(rows: Sequence[CdrRow]) -> tuple[Outcome, str | None]:
    """The outcome and its detail, from one call's rows in order."""
    decision = _decision(rows)
    action = decision.get("action", "")
    reason = decision.get("reason") or None
    if action == "closed":
        forward = next((row.dst for row in rows if row.dcontext == FORWARD_CONTEXT), None)
        return Outcome.CLOSED, f"{reason}; forwarded to {forward}" if forward else reason
    if "callback" in decision:
        return Outcome.CALLBACK, CALLER_CALLBACK_DETAIL
    agent = _agent_row(rows)
    if agent is not None:
        later = [r for r in rows if r.dstchannel and r is not agent and r.start >= agent.start]
        if later:
            return Outcome.TRANSFERRED, later[-1].dst or "transfer"
        if action == "unrouted":
            return Outcome.UNROUTED, f"answered; {reason or ''}".rstrip("; ")
        return Outcome.RESOLVED, None
    if action == "unrouted":
        return Outcome.UNROUTED, reason
    status = decision.get("queue", "")
    if status in OVERFLOW_STATUSES:
        return Outcome.OVERFLOW, status.lower()
    if any(row.lastapp == "Queue" for row in rows):
        return Outcome.ABANDONED, None
    if action == "queue":
        return Outcome.ABANDONED, "before the queue"
    return Outcome.FAILED, "no routing decision" if not action else f"ended in state {action}"


def record_of(
    rows: Sequence[CdrRow], node: str, privacy: PrivacyPolicy, region: str = "DE"
) -> CallRecord | None:
    """The call's record as the CDR tells it; None for a call that is not the center's.

    The CDR has no time at which the agent answered: such a record has no wait (counted as
    answered in time, as any answered call without a measured wait) and says so in `detail`
    when it has no other detail.
    """
    if not rows or not is_center_call(rows):
        return None
    first = rows[0]
    decision = _decision(rows)
    outcome, detail = outcome_of(rows)
    agent = _agent_row(rows)
    dialled = decision.get("dialled") or first.dst or None
    queued_row = next((row for row in rows if row.lastapp == "Queue"), None)
    return CallRecord(
        call_id=first.linkedid or first.uniqueid,
        node=node,
        started=min(row.start for row in rows),
        ended=max(row.end for row in rows),
        outcome=outcome,
        tenant=decision.get("tenant") or first.accountcode or None,
        department=decision.get("department") or None,
        dialled=try_normalise(dialled, region) or dialled,
        caller=stored_caller(first.src, withheld=decision.get("withheld") == "1", policy=privacy),
        queue=_queue_of(queued_row.lastdata) if queued_row is not None else None,
        # When Asterisk answered the caller: the CDR knows no later answer by the agent.
        answered=agent.answer if agent is not None else None,
        agent=_interface(agent.dstchannel) if agent is not None else None,
        detail=detail if detail is not None or agent is None else NO_WAIT_DETAIL,
        decided_by=decision.get("decided_by") or None,
        source=SOURCE,
        callback_to=callback_number(decision) if outcome is Outcome.CALLBACK else None,
    )


def callback_number(decision: dict[str, str]) -> str | None:
    """The number a caller booked to be called back at; None unless whole (`booked` follows
    it, so a userfield cut short inside the number has no `booked`)."""
    number = decision.get("callback", "")
    return number if number.isdigit() and decision.get("booked") == "1" else None


def _queue_of(lastdata: str) -> str | None:
    """Queue(servicecenter,,,,300,...) -> servicecenter."""
    return lastdata.split(",", 1)[0] or None


def records_of(
    rows: Iterable[CdrRow], node: str, privacy: PrivacyPolicy, region: str = "DE"
) -> list[CallRecord]:
    """One record per call of the center among `rows`, in order of their start."""
    records = [
        record
        for call_rows in group_by_call(rows).values()
        if (record := record_of(call_rows, node, privacy, region)) is not None
    ]
    return sorted(records, key=lambda record: record.started)
