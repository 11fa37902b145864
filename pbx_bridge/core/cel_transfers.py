"""What Asterisk's CEL (Channel Event Logging) tells about a call that its CDR cannot: that an
agent handed the caller on by a blind or attended transfer, and to whom.

The CDR sees a transfer only as a later row with another party (`dstchannel`); a transfer to
an announcement, a voicemail or an IVR has no such row. CEL writes a BLINDTRANSFER or an
ATTENDEDTRANSFER event on the agent's channel, which shares the caller's Linkedid; its
`extra` (JSON) names the transferee's Uniqueid too. The mapping is documented in
docs/operations.md ("Reconciliation with Asterisk's CDR"). Pure: no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from pbx_bridge.core.calls import CallRecord, Outcome

BLIND = "BLINDTRANSFER"
ATTENDED = "ATTENDEDTRANSFER"
TRANSFER_EVENTS = frozenset({BLIND, ATTENDED})
ATTENDED_DETAIL = "attended transfer"  # an attended transfer whose target CEL does not name
BLIND_DETAIL = "blind transfer"
# Outcomes of an answered call that a transfer replaces (as the tracker ranks them).
_ANSWERED_OUTCOMES = frozenset({Outcome.RESOLVED, Outcome.UNROUTED, Outcome.TRANSFERRED})


@dataclass(frozen=True)
class CelEvent:
    """One CEL event, as every CEL backend has it."""

    eventtype: str
    eventtime: datetime  # timezone-aware
    uniqueid: str
    linkedid: str
    channame: str = ""
    exten: str = ""
    context: str = ""
    peer: str = ""
    extra: str = ""  # JSON, empty for most events


def _extra(event: CelEvent) -> Mapping[str, object]:
    """The event's `extra` object; {} when it is empty or not a JSON object."""
    try:
        found = json.loads(event.extra) if event.extra.strip() else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _interface(channel: str) -> str:
    """PJSIP/clerk-00000007 -> PJSIP/clerk."""
    return channel.rpartition("-")[0] if "-" in channel else channel


def transfer_target(event: CelEvent) -> str:
    """Where the transfer went: the extension of a blind one, the target's interface of an
    attended one."""
    extra = _extra(event)
    if event.eventtype == BLIND:
        return str(extra.get("extension") or "") or BLIND_DETAIL
    target = str(extra.get("transfer_target_channel_name") or extra.get("channel2_name") or "")
    return _interface(target) or ATTENDED_DETAIL


def transfers_by_call(events: Iterable[CelEvent], call_ids: Sequence[str]) -> dict[str, str]:
    """Call id -> the target of the call's last transfer, for the calls among `call_ids`.

    An event belongs to the call of its Linkedid, or else to the call whose first channel is
    the transferee (a transferer outside the call's Linkedid).
    """
    wanted = set(call_ids)
    found: dict[str, tuple[datetime, str]] = {}
    for event in events:
        if event.eventtype not in TRANSFER_EVENTS:
            continue
        call_id = event.linkedid
        if call_id not in wanted:
            call_id = str(_extra(event).get("transferee_channel_uniqueid") or "")
        if call_id not in wanted:
            continue
        if call_id not in found or found[call_id][0] <= event.eventtime:
            found[call_id] = (event.eventtime, transfer_target(event))
    return {call_id: target for call_id, (_at, target) in found.items()}


def with_transfers(records: Sequence[CallRecord], events: Iterable[CelEvent]) -> list[CallRecord]:
    """The CDR's records with what CEL adds: an answered call an agent transferred is
    `transferred`, its detail the target. Other records are returned as they are."""
    transfers = transfers_by_call(events, [record.call_id for record in records])
    return [
        replace(record, outcome=Outcome.TRANSFERRED, detail=transfers[record.call_id])
        if record.call_id in transfers
        and record.answered is not None
        and record.outcome in _ANSWERED_OUTCOMES
        else record
        for record in records
    ]
