"""Sign in and out: form tokens, throttling and the audit log."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from pbx_bridge.web.auth.guard import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    authenticate,
    check_form_token,
    client_address,
    console,
)
from pbx_bridge.web.auth.secrets import new_token, same
from pbx_bridge.web.auth.service import LoginResult, attempt_login
from pbx_bridge.web.auth.service import logout as sign_out
from pbx_bridge.web.rendering import render

MAX_FIELD = 256


def safe_next(target: object) -> str:
    """Only a path on this console: never another site (open redirect)."""
    if (
        isinstance(target, str)
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and len(target) < 1024
    ):
        return target
    return "/"


def _secure(request: Request) -> bool:
    # Behind the TLS proxy uvicorn takes the scheme from X-Forwarded-Proto.
    return request.url.scheme == "https"


def _login_form(
    request: Request, *, error: str | None = None, name: str = "", status: int = 200
) -> Response:
    token = new_token()
    response = render(
        request,
        "login.html",
        None,
        {
            "title": "Sign in",
            "csrf": token,
            "next": safe_next(request.query_params.get("next")),
            "error": error,
            "name": name,
        },
        status_code=status,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/login",
    )
    return response


def login_page(request: Request) -> Response:
    if authenticate(request) is not None:
        return RedirectResponse(safe_next(request.query_params.get("next")), 303)
    return _login_form(request)


async def login(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=8)
    context = console(request)
    name = str(form.get("name") or "").strip()[:MAX_FIELD]
    password = str(form.get("password") or "")[:MAX_FIELD]
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    submitted = form.get("csrf")
    if not cookie or not isinstance(submitted, str) or not same(submitted, cookie):
        return _login_form(request, error="The form expired: please sign in again.", status=403)
    attempt = await run_in_threadpool(
        attempt_login, context, name, password, client_address(request)
    )
    if attempt.result is LoginResult.LOCKED:
        minutes = context.throttle.window_s // 60
        error = f"Too many failed sign-ins: try again in {minutes} minutes."
        return _login_form(request, error=error, name=name, status=429)
    if attempt.session_token is None:
        return _login_form(request, error="Wrong user or password.", name=name, status=401)
    response = RedirectResponse(safe_next(form.get("next")), 303)
    response.set_cookie(
        SESSION_COOKIE,
        attempt.session_token,
        max_age=int(context.settings.session_lifetime.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


async def logout(request: Request) -> Response:
    caller = await run_in_threadpool(authenticate, request)
    if caller is not None:
        form = await request.form(max_files=0, max_fields=4)
        check_form_token(caller, form.get("csrf"))
        await run_in_threadpool(
            sign_out,
            console(request),
            request.cookies.get(SESSION_COOKIE, ""),
            caller.principal.name,
            client_address(request),
        )
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def routes() -> list[BaseRoute]:
    return [
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
    ]
