"""Which calls a caller may list: their tenants, and for agents only today's."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from starlette.exceptions import HTTPException

from pbx_bridge.core.console_access import Principal, Role
from pbx_bridge.web.calls.queries import CallQuery
from pbx_bridge.web.context import ConsoleContext
from pbx_bridge.web.selection import CallFilter

PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


def call_query(context: ConsoleContext, principal: Principal, wanted: CallFilter) -> CallQuery:
    tenants = principal.scope(wanted.tenant)
    first, last = wanted.first, wanted.last
    if principal.role is Role.AGENT:
        today = context.today()
        if (first not in (None, today)) or (last not in (None, today)):
            raise HTTPException(403, "agents see today's calls only")
        first = last = today
    zone = context.call_log.zone
    return CallQuery(
        tenants=tenants,
        start=None if first is None else _midnight(first, zone),
        end=None if last is None else _midnight(last + timedelta(days=1), zone),
        outcome=wanted.outcome,
        department=wanted.department,
    )


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone)
