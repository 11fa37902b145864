"""Small tenant directories for the sounds tests, built without the YAML loader."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from pbx_bridge.core.schedule import Schedule, TimeRange
from pbx_bridge.core.tenants import (
    ClosedAction,
    ClosedPolicy,
    ServiceCenter,
    Tenant,
    TenantDirectory,
)

BERLIN = ZoneInfo("Europe/Berlin")
Week = tuple[tuple[TimeRange, ...], ...]


def hours(text: str) -> tuple[TimeRange, ...]:
    """'08:00-12:00, 13:00-16:00' -> ranges; '' -> closed."""
    ranges = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        start, end = (int(h) * 60 + int(m) for h, m in (t.split(":") for t in part.split("-")))
        ranges.append(TimeRange(start, end))
    return tuple(ranges)


def week(*days: str) -> Week:
    """Seven day specs, Monday first; missing trailing days are closed."""
    return tuple(hours(d) for d in (*days, *[""] * (7 - len(days))))


SOEST_WEEK = week(*["08:00-17:00"] * 3, "08:00-18:00", "08:00-13:00")
MON_FRI_7_18 = week(*["07:00-18:00"] * 5)


def tenant(
    tid: str = "gifhorn",
    name: str = "Landkreis Gifhorn",
    weekly: Week = MON_FRI_7_18,
    *,
    announcement: str | None = None,
    action: ClosedAction = ClosedAction.HANGUP,
    greeting: str | None = None,
    greeting_text: str | None = None,
) -> Tenant:
    return Tenant(
        id=tid,
        name=name,
        greeting=greeting or tid,
        greeting_text=greeting_text or f"Service Center {name}, guten Tag.",
        holidays="NI",
        queue="servicecenter",
        priority=0,
        numbers=(),
        schedule=Schedule(BERLIN, weekly),
        closed=ClosedPolicy(
            announcement, action, "+4953718" if action is ClosedAction.FORWARD else None
        ),
    )


def center(**overrides: str) -> ServiceCenter:
    fields: dict[str, Any] = {
        "name": "Service Center Wolfsburg",
        "queue": "servicecenter",
        "unrouted_greeting": "servicecenter",
        "greeting_text": "Service Center Wolfsburg, guten Tag.",
        **overrides,
    }
    return ServiceCenter(timezone=BERLIN, country="DE", **fields)


def directory(*tenants: Tenant, **center_overrides: str) -> TenantDirectory:
    return TenantDirectory(center(**center_overrides), tenants)
