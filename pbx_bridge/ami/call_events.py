"""What the call tracker reads of AMI: event names, variables, and how Asterisk encodes them.

The tracker (ami/call_tracker.py) reads these events and VarSets of these variables; the
rest of AMI's 70 to 300 events per call is dropped unparsed (`wanted`) or, with the
`manager_eventfilters` lines in manager.conf, never sent by Asterisk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from pbx_bridge import channel_vars as cv

Event = Mapping[str, str]

NEWCHANNEL = "Newchannel"
VARSET = "VarSet"
QUEUE_CALLER_JOIN = "QueueCallerJoin"
AGENT_CONNECT = "AgentConnect"
AGENT_COMPLETE = "AgentComplete"
QUEUE_CALLER_ABANDON = "QueueCallerAbandon"
BLIND_TRANSFER = "BlindTransfer"
ATTENDED_TRANSFER = "AttendedTransfer"
HANGUP = "Hangup"
USER_EVENT = "UserEvent"
# Everything the tracker reads of AMI; any other event can be dropped unparsed.
TRACKED_EVENTS = frozenset(
    {
        NEWCHANNEL,
        VARSET,
        QUEUE_CALLER_JOIN,
        AGENT_CONNECT,
        AGENT_COMPLETE,
        QUEUE_CALLER_ABANDON,
        BLIND_TRANSFER,
        ATTENDED_TRANSFER,
        HANGUP,
        USER_EVENT,
    }
)

# The UserEvent of a wrap-up (the *81..*83 codes of dialplans/pbx-bridge.conf, or a CRM).
WRAPUP_EVENT = "PbxBridgeWrapup"
# Not an AMI event: the daemon's routing decision for a call (agi/decision_event.py builds
# it). It is journalled with the AMI events, so a restarted daemon replays it in its place.
DECISION_EVENT = "PbxBridgeDecision"

# The first context of a call from a trunk (dialplans/pbx-bridge.conf).
INBOUND_CONTEXT = "pbx-bridge-inbound"
# The QUEUESTATUS values of a queue that let the caller go unanswered (app_queue.c).
OVERFLOW_STATUSES = frozenset({"TIMEOUT", "FULL", "JOINEMPTY", "LEAVEEMPTY", "JOINUNAVAIL"})
QUEUE_STATUS = "QUEUESTATUS"
# The channel variables whose VarSet the tracker reads: the routing decision and the queue's.
TRACKED_VARIABLES = frozenset(
    {
        cv.TENANT,
        cv.DEPARTMENT,
        cv.ACTION,
        cv.REASON,
        cv.QUEUE,
        cv.DECIDED_BY,
        cv.FORWARD_TO,
        cv.CLOSED_ACTION,
        cv.REDIRECTING,
        cv.WITHHELD,
        # What the caller chose while waiting and where an overflow went (the dialplan's).
        cv.CALLBACK,
        cv.OVERFLOW_ACTION,
        cv.OVERFLOW_TO,
        QUEUE_STATUS,
    }
)

# Asterisk's ast_escape_c (main/utils.c), applied to every VarSet Value on AMI
# (main/stasis_channels.c, varset_to_ami): each of these eleven characters is sent as a
# backslash and the letter or character mapped to it. A backslash is itself escaped, so any
# other backslash pair cannot come from Asterisk and is kept as it is.
_C_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
_C_ESCAPED = re.compile(r"\\([abfnrtv\\'\"?])")


def unescape_c(value: str) -> str:
    """A VarSet value as the dialplan set it: undoes Asterisk's C escaping (`\\"` -> `"`)."""
    if "\\" not in value:
        return value
    return _C_ESCAPED.sub(lambda match: _C_ESCAPES[match.group(1)], value)


def event_time(event: Event, fallback: datetime) -> datetime:
    """Asterisk's Timestamp header (manager.conf timestampevents=yes) or the receipt time."""
    stamp = event.get("Timestamp")
    if stamp:
        try:
            return datetime.fromtimestamp(float(stamp), UTC)
        except ValueError:
            pass
    return fallback


def channel_interface(channel: str) -> str:
    """The endpoint of a channel name: PJSIP/agent8-00000028 -> PJSIP/agent8."""
    return channel.rpartition("-")[0] if "-" in channel else channel


def flatten(message: Mapping[str, object]) -> dict[str, str]:
    """One string per header. panoramisk turns a repeated header into a list; a dialplan
    UserEvent repeats Linkedid (the channel's own first, the body's last), and the last
    one is what the sender meant."""
    out: dict[str, str] = {}
    for key, value in message.items():
        last = (value[-1] if value else "") if isinstance(value, list) else value
        out[str(key)] = str(last)
    return out


_EVENT_NAMES = frozenset(name.encode() for name in TRACKED_EVENTS)
_VARIABLES = frozenset(name.encode() for name in TRACKED_VARIABLES)
_EVENT = b"Event: "
_VARIABLE = b"\r\nVariable: "


def wanted(raw: bytes) -> bool:
    """Whether a raw AMI message (without its blank line) can matter to the tracker.

    Asterisk sends 70 to 300 events per call; the tracker reads 13 to 21 of them (its event
    types, and of the VarSets only its variables). Deciding on the raw bytes saves decoding
    the rest, which would otherwise keep the event loop, and so the FastAGI sessions, busy.
    With the `manager_eventfilters` lines Asterisk drops them before sending; this stays for
    an AMI user without them. Responses and anything answering an action (ActionID) pass.
    """
    if not raw.startswith(_EVENT) or b"\r\nActionID:" in raw:
        return True
    end = raw.find(b"\r\n")
    name = raw[len(_EVENT) : end if end >= 0 else len(raw)].strip()
    if name not in _EVENT_NAMES:
        return False
    if name != b"VarSet":
        return True
    start = raw.find(_VARIABLE)
    if start < 0:
        return False
    start += len(_VARIABLE)
    end = raw.find(b"\r\n", start)
    return raw[start : end if end >= 0 else len(raw)].strip() in _VARIABLES


# What Status prints for a listed variable the channel does not have (manager.c formats the
# missing value with "%s"): unset, not a value.
_UNSET = "(null)"


def status_variables(replies: Iterable[Mapping[str, object]]) -> dict[str, dict[str, str]]:
    """Uniqueid -> the set variables a `Status` action with `Variables:` listed, from its
    `Status` events (one `Variable: NAME=value` header per variable; panoramisk makes a list
    of a repeated header). Empty and missing values are left out: the variable is not set."""
    found: dict[str, dict[str, str]] = {}
    for reply in replies:
        if reply.get("Event") != "Status":
            continue
        raw = reply.get("Variable", [])
        pairs = (str(item).partition("=") for item in (raw if isinstance(raw, list) else [raw]))
        values = {
            name: value
            for name, _eq, value in pairs
            if name in TRACKED_VARIABLES and value and value != _UNSET
        }
        uniqueid = reply.get("Uniqueid")
        if values and isinstance(uniqueid, str):
            found[uniqueid] = values
    return found


def manager_eventfilters() -> list[str]:
    """The manager.conf `eventfilter` lines for pbx-bridge's AMI user (Asterisk 21+ advanced
    filters), so Asterisk sends only what `wanted` would keep instead of ~180 events per call.

    Include filters only: Asterisk then sends an event that matches any of them and nothing
    else (responses to actions, CoreShowChannel included, are not events and always come).
    """
    lines = [
        f"eventfilter(action(include),name({name})) ="
        for name in sorted(TRACKED_EVENTS - {VARSET, USER_EVENT})
    ]
    lines.append(
        f"eventfilter(action(include),name(UserEvent),header(UserEvent),method(exact)) = "
        f"{WRAPUP_EVENT}"
    )
    lines.append(
        "eventfilter(action(include),name(VarSet),header(Variable),method(regex)) = "
        f"^({'|'.join(sorted(TRACKED_VARIABLES))})$"
    )
    return lines
