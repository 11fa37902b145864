"""The channel variables one routing decision sets, shared by the daemon and the fallback AGI."""

from __future__ import annotations

from collections.abc import Sequence

from pbx_bridge import channel_vars as cv
from pbx_bridge.core.agent_view import agent_view
from pbx_bridge.core.caller_choices import caller_choices
from pbx_bridge.core.routing import Action, CallRequest, Decision
from pbx_bridge.core.tenants import TenantDirectory

# CHANNEL(accountcode) lands in Asterisk's own CDRs (CDR(accountcode) is read-only there).
ACCOUNTCODE = "CHANNEL(accountcode)"


def call_request(env: dict[str, str], redirecting_arg: str | None) -> CallRequest:
    """The call as the AGI environment describes it.

    `agi_extension` is the dialled number (PJSIP: the Request-URI user); calls that
    enter at `s` (no DID) fall back to `agi_dnid`.
    """
    dialled = _number(env.get("agi_extension", ""))
    if dialled in ("", "s", "i", "h", "t") or dialled.lower() == "unknown":
        dialled = _number(env.get("agi_dnid", ""))
    caller = _number(env.get("agi_callerid", "")) or None
    return CallRequest(
        dialled=dialled or None,
        redirecting=_number((redirecting_arg or "").strip()) or None,
        caller=None if caller in ("unknown", "anonymous") else caller,
    )


# Asterisk's own values are C strings; a control character (a NUL from a peer that is no
# Asterisk) makes the value no number, visibly, instead of reaching a reason or a log raw.
_CONTROLS = {code: "?" for code in (*range(0x20), 0x7F)}


def _number(value: str) -> str:
    return value.translate(_CONTROLS)


def queue_variables(
    directory: TenantDirectory,
    decision: Decision,
    env: dict[str, str],
    request: CallRequest,
    *,
    withheld: bool,
) -> list[tuple[str, str]]:
    """What the agent's phone shows and what the waiting caller may choose (queued calls)."""
    if decision.action is Action.CLOSED:
        return []
    center = directory.center
    owner = directory.owner_of(decision.number)
    view = agent_view(center, owner, env.get("agi_calleridname"), request.caller)
    tenant = owner.tenant if owner is not None else None
    choices = caller_choices(center, tenant, request.caller, withheld=withheld)
    after = choices.callback_after_s
    return [
        (cv.AGENT_DISPLAY, view.display),
        (cv.SIP_TENANT, view.tenant),
        (cv.SIP_DEPARTMENT, view.department),
        (cv.KNOWLEDGE_URL, view.knowledge_url),
        (cv.WHISPER, view.whisper),
        (cv.CALLBACK_AFTER, "" if after is None else str(after)),
        (cv.CALLBACK_DIAL, choices.callback_dial),
        (cv.OVERFLOW_ACTION, str(choices.overflow_action)),
        (cv.OVERFLOW_TO, choices.overflow_dial),
    ]


def channel_variables(
    decision: Decision,
    *,
    queue_timeout: int,
    decided_by: str,
    generation: str,
    extra: Sequence[tuple[str, str]] = (),
) -> list[tuple[str, str]]:
    """Name/value pairs in the order to set them: PBXB_ACTION last.

    The dialplan treats a non-empty PBXB_ACTION as "decided"; setting it last
    means a session cut off half-way leaves it empty and the failsafe takes over.
    """
    pairs = [
        (cv.TENANT, decision.tenant or ""),
        (cv.TENANT_NAME, decision.tenant_name or ""),
        (cv.DEPARTMENT, decision.department or ""),
        (cv.REASON, decision.reason),
        (cv.GREETING, decision.greeting),
        (cv.QUEUE, decision.queue),
        (cv.PRIORITY, str(decision.priority)),
        (cv.QUEUE_TIMEOUT, str(queue_timeout)),
        (cv.CLOSED_ANNOUNCEMENT, decision.closed_announcement or ""),
        (cv.CLOSED_ACTION, str(decision.closed_action or "")),
        (cv.FORWARD_TO, decision.forward_dial or ""),
        (cv.DECIDED_BY, decided_by),
        (cv.CONFIG_GENERATION, generation),
        *extra,
        (ACCOUNTCODE, decision.tenant or ""),
        (cv.ACTION, str(decision.action)),
    ]
    return pairs
