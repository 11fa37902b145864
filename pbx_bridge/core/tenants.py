"""The tenant model: who the service center answers for, on which numbers, and when."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo

from pbx_bridge.core.schedule import Schedule


class ClosedAction(StrEnum):
    HANGUP = "hangup"
    FORWARD = "forward"


class OverflowAction(StrEnum):
    """What a caller gets when the queue times out."""

    HANGUP = "hangup"  # the overflow announcement, then hang up
    FORWARD = "forward"  # to the town's own switchboard
    CALLBACK = "callback"  # offer a callback (announcement and hangup if declined)


@dataclass(frozen=True)
class OverflowPolicy:
    action: OverflowAction = OverflowAction.HANGUP
    forward_to: str | None = None  # E.164, required for FORWARD


@dataclass(frozen=True)
class ClosedPolicy:
    """What a caller gets when the tenant is closed."""

    announcement: str | None = None  # sound name; None: the center's generic closed prompt
    action: ClosedAction = ClosedAction.HANGUP
    forward_to: str | None = None  # E.164, required for FORWARD


@dataclass(frozen=True)
class TenantNumber:
    e164: str
    department: str
    written: str  # as the admin wrote it, for messages
    department_short: str | None = None  # for the agent's display; default: department


@dataclass(frozen=True, eq=False)
class Tenant:
    id: str
    name: str
    greeting: str
    greeting_text: str
    holidays: str  # state code or "none"
    queue: str
    priority: int
    numbers: tuple[TenantNumber, ...]
    schedule: Schedule
    closed: ClosedPolicy = field(default_factory=ClosedPolicy)
    short_name: str | None = None  # for the agent's display and the whisper; default: name
    knowledge_url: str | None = None  # template with {tenant} and {department}
    whisper: str | None = None  # sound name the agent alone hears before being connected
    # Seconds in the queue before a callback is offered; None: the center's setting;
    # CALLBACK_OFF: never offered.
    callback_offer_after_s: int | None = None
    overflow: OverflowPolicy = field(default_factory=OverflowPolicy)
    # Seconds between position announcements in the tenant's queue; None: the center's.
    announce_every_s: int | None = None


CALLBACK_OFF = -1


@dataclass(frozen=True)
class ServiceCenter:
    name: str
    timezone: ZoneInfo
    country: str
    queue: str
    unrouted_greeting: str
    greeting_text: str = ""
    closed_announcement: str = "closed"
    overflow_announcement: str = "overflow"
    agent_display: str = "{tenant_short} {department_short}: {caller_name}"
    short_name: str = ""  # shown to agents for calls no tenant claims; default: name
    callback_offer_after_s: int | None = None  # None: callbacks offered only by tenants
    announce_every_s: int = 0  # position announcements in the queue; 0: none


@dataclass(frozen=True)
class NumberOwner:
    tenant: Tenant
    number: TenantNumber


@dataclass(frozen=True, eq=False)
class TenantDirectory:
    """The validated set of tenants with an index from E.164 number to its owner."""

    center: ServiceCenter
    tenants: tuple[Tenant, ...]
    _by_number: Mapping[str, NumberOwner] = field(init=False, repr=False)
    _by_id: Mapping[str, Tenant] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_number: dict[str, NumberOwner] = {}
        by_id: dict[str, Tenant] = {}
        for tenant in self.tenants:
            if tenant.id in by_id:
                raise ValueError(f"duplicate tenant id {tenant.id!r}")
            by_id[tenant.id] = tenant
            for number in tenant.numbers:
                if number.e164 in by_number:
                    raise ValueError(f"number {number.e164} claimed twice")
                by_number[number.e164] = NumberOwner(tenant, number)
        object.__setattr__(self, "_by_number", by_number)
        object.__setattr__(self, "_by_id", by_id)

    def owner_of(self, e164: str | None) -> NumberOwner | None:
        return None if e164 is None else self._by_number.get(e164)

    def tenant(self, tenant_id: str) -> Tenant | None:
        return self._by_id.get(tenant_id)
