"""The console's Starlette application: each resource's routes, static files, error pages."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import structlog
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from pbx_bridge.core.console_access import AccessDeniedError
from pbx_bridge.web.api import routes as api_routes
from pbx_bridge.web.auth import routes as auth_routes
from pbx_bridge.web.auth.guard import NotSignedInError, authenticate
from pbx_bridge.web.calls import routes as call_routes
from pbx_bridge.web.context import ConsoleContext
from pbx_bridge.web.export import routes as export_routes
from pbx_bridge.web.rendering import make_templates, render
from pbx_bridge.web.reports import routes as report_routes
from pbx_bridge.web.tickets import routes as ticket_routes
from pbx_bridge.web.today import routes as today_routes

STATIC = Path(__file__).resolve().parent / "static"
log = structlog.get_logger("pbx_bridge.web")

SECURITY_HEADERS = {
    # Every asset comes from this process: no CDN, no inline script.
    "content-security-policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, message: str) -> Response:
    if _is_api(request):
        return JSONResponse({"error": message}, status_code=status)
    caller = None if status == 401 else authenticate(request)
    return render(
        request,
        "error.html",
        caller,
        {"title": str(status), "status": status, "message": message},
        status_code=status,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _error(request, exc.status_code, str(exc.detail))


async def _denied(request: Request, exc: Exception) -> Response:
    return _error(request, 403, str(exc))


async def _not_signed_in(request: Request, _exc: Exception) -> Response:
    if _is_api(request):
        return JSONResponse({"error": "sign in or send Authorization: Bearer"}, status_code=401)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={_quote(target)}", 303)


def _quote(text: str) -> str:
    return quote(text, safe="/")


async def _crashed(request: Request, exc: Exception) -> Response:
    # Logged for the admin; the browser gets a plain page, never a stack trace.
    log.error("web_request_failed", path=request.url.path, error=repr(exc))
    return _error(request, 500, "Something went wrong; the administrator can see it in the log.")


def build_app(context: ConsoleContext) -> Starlette:
    route_list: list[BaseRoute] = [
        *auth_routes.routes(),
        *today_routes.routes(),
        *report_routes.routes(),
        *call_routes.routes(),
        *ticket_routes.routes(),
        *export_routes.routes(),
        *api_routes.routes(),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ]
    app = Starlette(
        routes=route_list,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={
            HTTPException: _http_error,
            AccessDeniedError: _denied,
            NotSignedInError: _not_signed_in,
            Exception: _crashed,
        },
    )
    app.state.context = context
    app.state.templates = make_templates()
    return app


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("cache-control", "no-store")
        return response
