"""The routing decision: which tenant a call is for, and whether that tenant is open.

A forwarded call carries the municipality's own number as its redirecting number;
it is the stronger evidence and is tried first. The dialled number comes second.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from pbx_bridge.core.numbers import national_digits, try_normalise
from pbx_bridge.core.tenants import ClosedAction, NumberOwner, Tenant, TenantDirectory


class Action(StrEnum):
    QUEUE = "queue"
    CLOSED = "closed"
    UNROUTED = "unrouted"


class MatchedBy(StrEnum):
    REDIRECTING = "redirecting"
    DIALLED = "dialled"


@dataclass(frozen=True)
class CallRequest:
    """What Asterisk knows about a new call; raw strings as they arrive."""

    dialled: str | None
    redirecting: str | None = None
    caller: str | None = None


@dataclass(frozen=True)
class Decision:
    action: Action
    tenant: str | None
    tenant_name: str | None
    department: str | None
    open: bool
    reason: str
    greeting: str
    queue: str
    priority: int
    matched_by: MatchedBy | None
    number: str | None  # the E.164 number that matched
    dialled: str | None  # normalised, None when unreadable
    redirecting: str | None
    closed_announcement: str | None = None
    closed_action: ClosedAction | None = None
    forward_to: str | None = None  # E.164
    forward_dial: str | None = None  # digits to dial for the forward
    next_opening: str | None = None  # ISO-8601 local time, when closed

    def to_dict(self) -> dict[str, object]:
        return {k: (str(v) if isinstance(v, StrEnum) else v) for k, v in asdict(self).items()}


def _match(directory: TenantDirectory, call: CallRequest) -> tuple[NumberOwner, MatchedBy] | None:
    region = directory.center.country
    owner = directory.owner_of(try_normalise(call.redirecting, region))
    if owner is not None:
        return owner, MatchedBy.REDIRECTING
    owner = directory.owner_of(try_normalise(call.dialled, region))
    if owner is not None:
        return owner, MatchedBy.DIALLED
    return None


def decide(directory: TenantDirectory, call: CallRequest, at: datetime) -> Decision:
    """Decide what happens to `call` at instant `at` (timezone-aware)."""
    center = directory.center
    dialled = try_normalise(call.dialled, center.country)
    redirecting = try_normalise(call.redirecting, center.country)
    match = _match(directory, call)
    if match is None:
        shown = call.dialled or "(no number)"
        return Decision(
            action=Action.UNROUTED,
            tenant=None,
            tenant_name=None,
            department=None,
            open=True,
            reason=f"no tenant claims {shown}",
            greeting=center.unrouted_greeting,
            queue=center.queue,
            priority=0,
            matched_by=None,
            number=None,
            dialled=dialled,
            redirecting=redirecting,
        )
    owner, matched_by = match
    tenant = owner.tenant
    state = tenant.schedule.state_at(at)
    announcement, closed_action, forward_to, forward_dial, next_opening = (
        _NOT_CLOSED if state.open else _closing(directory, tenant, at)
    )
    # One construction for both paths: dataclasses.replace() on a decision of eighteen fields
    # cost as much as the rest of a closed call's decision.
    return Decision(
        action=Action.QUEUE if state.open else Action.CLOSED,
        tenant=tenant.id,
        tenant_name=tenant.name,
        department=owner.number.department,
        open=state.open,
        reason=state.reason,
        greeting=tenant.greeting,
        queue=tenant.queue,
        priority=tenant.priority,
        matched_by=matched_by,
        number=owner.number.e164,
        dialled=dialled,
        redirecting=redirecting,
        closed_announcement=announcement,
        closed_action=closed_action,
        forward_to=forward_to,
        forward_dial=forward_dial,
        next_opening=next_opening,
    )


class _Closing(NamedTuple):
    announcement: str | None
    action: ClosedAction | None
    forward_to: str | None
    forward_dial: str | None
    next_opening: str | None


_NOT_CLOSED = _Closing(None, None, None, None, None)


def _closing(directory: TenantDirectory, tenant: Tenant, at: datetime) -> _Closing:
    """What a closed tenant's caller gets: its announcement, then its closed action."""
    center = directory.center
    policy = tenant.closed
    forward_to = policy.forward_to if policy.action is ClosedAction.FORWARD else None
    next_open = tenant.schedule.next_opening(at)
    return _Closing(
        announcement=policy.announcement or center.closed_announcement,
        action=policy.action,
        forward_to=forward_to,
        forward_dial=national_digits(forward_to, center.country) if forward_to else None,
        next_opening=next_open.isoformat() if next_open else None,
    )
