"""The daemon's routing decision as an input of the call tracker.

AMI replays nothing: a call that begins and ends while the daemon's AMI connection is down
would leave no trace. The FastAGI side sees every call it routes, so it hands the tracker
what the call's Newchannel and VarSet events would have said (ami/call_tracker.py keeps
it for calls it has not seen).
"""

from __future__ import annotations

from pbx_bridge import channel_vars as cv
from pbx_bridge.ami.call_events import DECISION_EVENT
from pbx_bridge.core.routing import CallRequest

# Presentation bits of agi_callingpres (Asterisk's AST_PRES_RESTRICTION mask and values).
_RESTRICTION_MASK = 0x60
_ALLOWED = 0x00
_UNAVAILABLE = 0x40


def withheld(env: dict[str, str]) -> bool:
    """Whether the caller withheld the number, from `agi_callingpres`.

    Asterisk sends the stricter of the name's and the number's presentation. Anything but
    "allowed" or "not available" counts as withheld, a missing or garbled value too: the
    number is then not stored, which is the safe side.
    """
    try:
        restriction = int(env.get("agi_callingpres", "")) & _RESTRICTION_MASK
    except ValueError:
        return True
    return restriction not in (_ALLOWED, _UNAVAILABLE)


def decision_event(
    env: dict[str, str], request: CallRequest, pairs: list[tuple[str, str]]
) -> dict[str, str]:
    """The decision as the call tracker takes it (ami/call_tracker.py, DECISION_EVENT):
    what the VarSet events of these variables and the call's Newchannel would have said."""
    uniqueid = env.get("agi_uniqueid", "")
    event = {
        "Event": DECISION_EVENT,
        "Uniqueid": uniqueid,
        "Linkedid": uniqueid,  # the caller's channel is the first of its call
        "Exten": request.dialled or "",
        "CallerIDNum": request.caller or "",
        cv.REDIRECTING: request.redirecting or "",
        cv.WITHHELD: "1" if withheld(env) else "0",
    }
    event.update(pairs)
    return event
