"""The routing decision: which tenant a call is for, and whether that tenant is open.

A forwarded call carries the municipality's own number as its redirecting number;
it is the stronger evidence and is tried first. The dialled number comes second.
An ad hoc closure in force wins over the tenant's schedule; one of the whole center also
closes calls no tenant claims.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from pbx_bridge.core.closures import NO_CLOSURES, Closure, Closures
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


def decide(
    directory: TenantDirectory,
    call: CallRequest,
    at: datetime,
    closures: Closures = NO_CLOSURES,
) -> Decision:
    """Decide what happens to `call` at instant `at` (timezone-aware), given the ad hoc
    `closures` known then."""
    center = directory.center
    dialled = try_normalise(call.dialled, center.country)
    redirecting = try_normalise(call.redirecting, center.country)
    match = _match(directory, call)
    if match is None:
        shown = call.dialled or "(no number)"
        closure = closures.for_tenant(None, at) if closures else None
        return Decision(
            action=Action.UNROUTED if closure is None else Action.CLOSED,
            tenant=None,
            tenant_name=None,
            department=None,
            open=closure is None,
            reason=f"no tenant claims {shown}" if closure is None else _reason(closure),
            greeting=center.unrouted_greeting,
            queue=center.queue,
            priority=0,
            matched_by=None,
            number=None,
            dialled=dialled,
            redirecting=redirecting,
            closed_announcement=None
            if closure is None
            else closure.announcement or center.closed_announcement,
            closed_action=None if closure is None else ClosedAction.HANGUP,
        )
    owner, matched_by = match
    tenant = owner.tenant
    closure = closures.for_tenant(tenant.id, at) if closures else None
    if closure is not None:
        is_open, reason = False, _reason(closure)
        closing = _closing(directory, tenant, at, closure)
    else:
        state = tenant.schedule.state_at(at)
        is_open, reason = state.open, state.reason
        closing = _NOT_CLOSED if state.open else _closing(directory, tenant, at)
    announcement, closed_action, forward_to, forward_dial, next_opening = closing
    # One construction for both paths: dataclasses.replace() on a decision of eighteen fields
    # cost as much as the rest of a closed call's decision.
    return Decision(
        action=Action.QUEUE if is_open else Action.CLOSED,
        tenant=tenant.id,
        tenant_name=tenant.name,
        department=owner.number.department,
        open=is_open,
        reason=reason,
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


def _reason(closure: Closure) -> str:
    return f"closure: {closure.reason}"


def _closing(
    directory: TenantDirectory, tenant: Tenant, at: datetime, closure: Closure | None = None
) -> _Closing:
    """What a closed tenant's caller gets: its announcement (a closure's own first), then its
    closed action."""
    center = directory.center
    policy = tenant.closed
    forward_to = policy.forward_to if policy.action is ClosedAction.FORWARD else None
    if closure is None:
        next_open = tenant.schedule.next_opening(at)
    else:  # open-ended: nobody knows when it opens
        next_open = None if closure.until is None else tenant.schedule.next_opening(closure.until)
    announcement = closure.announcement if closure is not None else None
    return _Closing(
        announcement=announcement or policy.announcement or center.closed_announcement,
        action=policy.action,
        forward_to=forward_to,
        forward_dial=national_digits(forward_to, center.country) if forward_to else None,
        next_opening=next_open.isoformat() if next_open else None,
    )
