"""GET /reports: the period's figures and charts for one tenant (or all, for the center)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from pbx_bridge.core.console_access import Area
from pbx_bridge.core.named_periods import PERIODS
from pbx_bridge.web import selection
from pbx_bridge.web.auth.guard import console, require
from pbx_bridge.web.rendering import render
from pbx_bridge.web.reports.service import full_report


def page(request: Request) -> Response:
    caller = require(request, Area.REPORTS)
    context = console(request)
    params = request.query_params
    period = selection.period(params, context.today())
    tenant = caller.principal.single_tenant(selection.text(params, "tenant"))
    computed = context.clock()
    full = full_report(context, tenant, period)
    data, charts = full.data, full.charts
    custom = selection.text(params, "from") is not None
    return render(
        request,
        "reports.html",
        caller,
        {
            "title": "Reports",
            "active": Area.REPORTS,
            "report": data,
            "charts": charts,
            "periods": PERIODS,
            "period_name": None if custom else (selection.text(params, "period") or "this-month"),
            "tenants": caller.principal.visible(context.tenant_names()),
            "all_allowed": caller.principal.sees_everything,
            "query": request.url.query,
            "computed": computed.astimezone(context.call_log.zone),
        },
    )


def routes() -> list[BaseRoute]:
    return [Route("/reports", page, methods=["GET"])]
