"""The Today board: one row per tenant the caller sees, and a total for the center."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta
from typing import Any

from pbx_bridge.core.console_access import Principal
from pbx_bridge.core.kpis import CallCounts, abandon_rate_percent, asa_s, service_level_percent
from pbx_bridge.web.context import ConsoleContext
from pbx_bridge.web.today.live import LiveQueue
from pbx_bridge.web.today.queries import counts_by_tenant, open_tickets_by_tenant

UNROUTED = ""


@dataclass(frozen=True)
class TodayRow:
    tenant: str  # '' for calls no tenant claims
    name: str
    calls: int
    offered: int
    answered: int
    service_level: float | None
    asa_s: float | None
    abandon_rate: float | None
    waiting: int | None  # None: the daemon's metrics did not answer
    longest_wait_s: float | None
    tickets_open: int
    tickets_overdue: int


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _row(
    tenant: str,
    name: str,
    counts: CallCounts,
    live: LiveQueue,
    tickets: tuple[int, int],
) -> TodayRow:
    return TodayRow(
        tenant=tenant,
        name=name,
        calls=counts.calls,
        offered=counts.offered,
        answered=counts.answered,
        service_level=_rounded(service_level_percent(counts)),
        asa_s=_rounded(asa_s(counts)),
        abandon_rate=_rounded(abandon_rate_percent(counts)),
        waiting=live.waiting.get(tenant, 0) if live.available else None,
        longest_wait_s=(live.longest_s.get(tenant, 0.0) or None) if live.available else None,
        tickets_open=tickets[0],
        tickets_overdue=tickets[1],
    )


def today_board(context: ConsoleContext, principal: Principal) -> dict[str, Any]:
    now = context.clock()
    zone = context.call_log.zone
    day = now.astimezone(zone).date()
    start = datetime.combine(day, time(0), zone)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    names = context.tenant_names()
    visible = principal.visible(names)
    scope = None if principal.sees_everything else visible
    with context.call_log.engine.connect() as connection:
        counts = counts_by_tenant(connection, scope, start, end, context.call_log.kpis.center)
        open_tickets = open_tickets_by_tenant(connection, scope, now)
    live = context.live()
    rows = [
        _row(t, names.get(t, t), counts.get(t, CallCounts()), live, open_tickets.get(t, (0, 0)))
        for t in visible
    ]
    if principal.sees_everything:
        rows.append(
            _row(
                UNROUTED,
                "(no tenant)",
                counts.get(None, CallCounts()),
                live,
                open_tickets.get(None, (0, 0)),
            )
        )
        total = sum(counts.values(), CallCounts())
        overall = _row(UNROUTED, "Whole center", total, live, (0, 0))
        waiting = sum(live.waiting.values()) if live.available else None
        longest = max(live.longest_s.values(), default=0.0) or None if live.available else None
        summary: TodayRow | None = TodayRow(
            **{
                **asdict(overall),
                "tenant": "all",
                "waiting": waiting,
                "longest_wait_s": longest,
                "tickets_open": sum(r.tickets_open for r in rows),
                "tickets_overdue": sum(r.tickets_overdue for r in rows),
            }
        )
    else:
        summary = None
    return {
        "day": day.isoformat(),
        "as_of": now.astimezone(zone).isoformat(timespec="seconds"),
        "live": live.available,
        "tenants": [asdict(r) for r in rows],
        "total": None if summary is None else asdict(summary),
    }
