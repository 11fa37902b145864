"""GET / (the Today board) and GET /api/v1/today (what the board polls)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from pbx_bridge.core.console_access import Area
from pbx_bridge.web.auth.guard import console, require
from pbx_bridge.web.rendering import render
from pbx_bridge.web.today.service import today_board


def page(request: Request) -> Response:
    caller = require(request, Area.TODAY)
    board = today_board(console(request), caller.principal)
    return render(request, "today.html", caller, {"title": "Today", "active": Area.TODAY, **board})


def board(request: Request) -> Response:
    caller = require(request, Area.TODAY)
    return JSONResponse(today_board(console(request), caller.principal))


def routes() -> list[BaseRoute]:
    return [Route("/", page, methods=["GET"]), Route("/api/v1/today", board, methods=["GET"])]
