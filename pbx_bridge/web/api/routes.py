"""GET /api/v1/report[?node=N]: exactly what `pbx-bridge report --format json` prints."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from pbx_bridge.core.console_access import Area
from pbx_bridge.reporting.figures import ALL
from pbx_bridge.web import selection
from pbx_bridge.web.auth.guard import console, require
from pbx_bridge.web.reports.service import report_json


def report(request: Request) -> Response:
    caller = require(request, Area.REPORTS)
    context = console(request)
    params = request.query_params
    if selection.text(params, "from") is None or selection.text(params, "to") is None:
        raise HTTPException(400, "from and to are required, as YYYY-MM-DD")
    period = selection.period(params, context.today())
    tenant, node = selection.text(params, "tenant"), selection.text(params, "node")
    data = report_json(context, caller.principal, tenant, period, None if node == ALL else node)
    return JSONResponse(data)


def routes() -> list[BaseRoute]:
    return [Route("/api/v1/report", report, methods=["GET"])]
