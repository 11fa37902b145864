"""GET /calls (the page) and GET /api/v1/calls (the same keys as `pbx-bridge calls`)."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from pbx_bridge.cli.calls import as_json
from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.console_access import Area
from pbx_bridge.web import selection
from pbx_bridge.web.auth.guard import console, require
from pbx_bridge.web.calls.queries import count_calls, departments, page_of_calls
from pbx_bridge.web.calls.service import MAX_PAGE_SIZE, PAGE_SIZE, call_query
from pbx_bridge.web.rendering import render


def _page(request: Request, *, api: bool) -> Response:
    caller = require(request, Area.CALLS)
    context = console(request)
    params = request.query_params
    wanted = selection.call_filter(params)
    query = call_query(context, caller.principal, wanted)
    page = selection.positive(params, "page", 1, 1_000_000)
    size = selection.positive(params, "per_page", PAGE_SIZE, MAX_PAGE_SIZE)
    with context.call_log.engine.connect() as connection:
        records = page_of_calls(connection, query, offset=(page - 1) * size, limit=size)
        total = count_calls(connection, query)
        known_departments = [] if api else departments(connection, query.tenants)
    zone = context.call_log.zone
    rows = [as_json(r, zone) for r in records]
    if api:
        return JSONResponse(
            {"calls": rows, "page": page, "per_page": size, "total": total},
            headers={"cache-control": "no-store"},
        )
    pages = max(1, -(-total // size))
    return render(
        request,
        "calls.html",
        caller,
        {
            "title": "Calls",
            "active": Area.CALLS,
            "calls": rows,
            "total": total,
            "page": page,
            "pages": pages,
            "filter": wanted,
            "outcomes": [o.value for o in Outcome],
            "departments": known_departments,
            "tenants": caller.principal.visible(context.tenant_names()),
            "agent": not caller.principal.may_enter(Area.REPORTS),
            "query_without_page": urlencode(
                [(k, v) for k, v in params.multi_items() if k != "page"]
            ),
            "export_query": request.url.query,
        },
    )


def page(request: Request) -> Response:
    return _page(request, api=False)


def api(request: Request) -> Response:
    return _page(request, api=True)


def routes() -> list[BaseRoute]:
    return [
        Route("/calls", page, methods=["GET"]),
        Route("/api/v1/calls", api, methods=["GET"]),
    ]
