"""GET /tickets, POST /tickets/{id}/done, GET /api/v1/tickets, POST /api/v1/tickets/{id}/done."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from pbx_bridge.core.console_access import Area
from pbx_bridge.web import selection
from pbx_bridge.web.auth.guard import check_form_token, console, require
from pbx_bridge.web.rendering import render
from pbx_bridge.web.tickets.service import MAX_NOTE, close_ticket, tickets_for


def page(request: Request) -> Response:
    caller = require(request, Area.TICKETS)
    context = console(request)
    view = selection.text(request.query_params, "status") or "open"
    tenant = selection.text(request.query_params, "tenant")
    rows = tickets_for(context, caller.principal, tenant, view)
    return render(
        request,
        "tickets.html",
        caller,
        {
            "title": "Tickets",
            "active": Area.TICKETS,
            "tickets": rows,
            "view": view,
            "tenant": tenant or "",
            "tenants": caller.principal.visible(context.tenant_names()),
            "max_note": MAX_NOTE,
            "done_id": request.query_params.get("done"),
        },
    )


def api_list(request: Request) -> Response:
    caller = require(request, Area.TICKETS)
    params = request.query_params
    view = selection.text(params, "status") or "open"
    rows = tickets_for(console(request), caller.principal, selection.text(params, "tenant"), view)
    return JSONResponse({"tickets": rows})


def _ticket_id(request: Request) -> int:
    raw = str(request.path_params["ticket_id"])
    return int(raw) if raw.isdigit() and len(raw) < 19 else -1


async def done(request: Request) -> Response:
    caller = await run_in_threadpool(require, request, Area.TICKETS)
    form = await request.form(max_files=0, max_fields=4)
    check_form_token(caller, form.get("csrf"))
    note = str(form.get("note") or "")
    ticket_id = _ticket_id(request)
    await run_in_threadpool(close_ticket, console(request), caller.principal, ticket_id, note)
    return RedirectResponse(f"/tickets?done={ticket_id}", 303)


async def api_done(request: Request) -> Response:
    """JSON body {"note": "..."}; with the session cookie the header X-CSRF-Token is needed."""
    caller = await run_in_threadpool(require, request, Area.TICKETS)
    check_form_token(caller, request.headers.get("x-csrf-token"))
    try:
        body = await request.json() if await request.body() else {}
    except ValueError:
        raise HTTPException(400, "the body is not JSON") from None
    note = str(body.get("note") or "") if isinstance(body, dict) else ""
    ticket = await run_in_threadpool(
        close_ticket, console(request), caller.principal, _ticket_id(request), note
    )
    return JSONResponse(ticket)


def routes() -> list[BaseRoute]:
    return [
        Route("/tickets", page, methods=["GET"]),
        Route("/tickets/{ticket_id}/done", done, methods=["POST"]),
        Route("/api/v1/tickets", api_list, methods=["GET"]),
        Route("/api/v1/tickets/{ticket_id}/done", api_done, methods=["POST"]),
    ]
