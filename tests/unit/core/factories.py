"""Small builders for core objects, so core tests need no YAML."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pbx_bridge.config.hours_syntax import parse_day_key, parse_ranges
from pbx_bridge.core.exception_days import ExceptionDays
from pbx_bridge.core.holidays import StateHolidays
from pbx_bridge.core.numbers import normalise
from pbx_bridge.core.schedule import DatedException, HolidayCalendar, NoHolidays, Schedule
from pbx_bridge.core.tenants import (
    ClosedAction,
    ClosedPolicy,
    ServiceCenter,
    Tenant,
    TenantDirectory,
    TenantNumber,
)

BERLIN = ZoneInfo("Europe/Berlin")


def at(text: str) -> datetime:
    """A local Berlin instant from 'YYYY-MM-DDTHH:MM[:SS]'."""
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def schedule(
    hours: dict[str, str],
    *,
    state: str | None = None,
    exceptions: dict[str, tuple[str, str]] | None = None,
    zone: ZoneInfo = BERLIN,
) -> Schedule:
    weekly: list[tuple[object, ...]] = [()] * 7
    for key, value in hours.items():
        for day in parse_day_key(key):
            weekly[day] = parse_ranges(value)
    dated = {
        date.fromisoformat(d): DatedException(date.fromisoformat(d), parse_ranges(h), reason)
        for d, (h, reason) in (exceptions or {}).items()
    }
    calendar: HolidayCalendar = StateHolidays(state) if state else NoHolidays()
    return Schedule(zone, tuple(weekly), ExceptionDays(dated=dated), calendar)  # type: ignore[arg-type]


def tenant(
    tenant_id: str,
    numbers: dict[str, str],
    sched: Schedule,
    *,
    closed: ClosedPolicy | None = None,
    priority: int = 0,
) -> Tenant:
    return Tenant(
        id=tenant_id,
        name=f"Tenant {tenant_id}",
        greeting=tenant_id,
        greeting_text=f"Service Center {tenant_id}",
        holidays="NI",
        queue="servicecenter",
        priority=priority,
        numbers=tuple(TenantNumber(normalise(n, "DE"), dept, n) for n, dept in numbers.items()),
        schedule=sched,
        closed=closed or ClosedPolicy(),
    )


def center() -> ServiceCenter:
    return ServiceCenter(
        name="Service Center Wolfsburg",
        timezone=BERLIN,
        country="DE",
        queue="servicecenter",
        unrouted_greeting="servicecenter",
    )


def wolfsburg_directory() -> TenantDirectory:
    weekdays = schedule({"mon-fri": "07:00-18:00"}, state="NI")
    return TenantDirectory(
        center(),
        (
            tenant(
                "gifhorn",
                {"05371 82-0": "Zentrale", "05371 82-370": "Kfz-Zulassung"},
                schedule(
                    {"mon-fri": "07:00-18:00"},
                    state="NI",
                    exceptions={"2026-12-24": ("07:00-12:00", "Heiligabend")},
                ),
                closed=ClosedPolicy("gifhorn-closed"),
            ),
            tenant("meinersen", {"05372 89-0": "Zentrale"}, weekdays),
            tenant(
                "geseke",
                {"02942 500-0": "Zentrale"},
                schedule({"mon-wed": "08:00-12:00, 13:00-16:00"}, state="NW"),
                closed=ClosedPolicy(None, ClosedAction.FORWARD, normalise("02942 500-0", "DE")),
            ),
            tenant("wolfsburg", {"05361 0999-0": "Zentrale", "115": "115"}, weekdays, priority=5),
        ),
    )
