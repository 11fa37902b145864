"""Sign in and out: form tokens, throttling and the audit log."""

from __future__ import annotations

from datetime import timedelta

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
    now = context.clock()
    address = client_address(request)
    name = str(form.get("name") or "").strip()[:MAX_FIELD]
    password = str(form.get("password") or "")[:MAX_FIELD]
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    submitted = form.get("csrf")
    if not cookie or not isinstance(submitted, str) or not same(submitted, cookie):
        return _login_form(request, error="The form expired: please sign in again.", status=403)
    since = now - timedelta(seconds=context.throttle.window_s)
    failures = context.accounts.failures_since(since, user=name, address=address)
    if context.throttle.locked(*failures):
        context.accounts.audit("login_locked", now, user=name, address=address)
        minutes = context.throttle.window_s // 60
        return _login_form(
            request,
            error=f"Too many failed sign-ins: try again in {minutes} minutes.",
            name=name,
            status=429,
        )
    # argon2 takes tens of milliseconds on purpose: off the event loop.
    account = await run_in_threadpool(context.accounts.check_password, name, password)
    if account is None:
        context.accounts.audit("login_failed", now, user=name, address=address)
        return _login_form(request, error="Wrong user or password.", name=name, status=401)
    token, _csrf = context.accounts.open_session(account, now, context.settings.session_lifetime)
    context.accounts.audit("login", now, user=account.name, address=address)
    response = RedirectResponse(safe_next(form.get("next")), 303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(context.settings.session_lifetime.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


async def logout(request: Request) -> Response:
    caller = authenticate(request)
    if caller is not None:
        form = await request.form(max_files=0, max_fields=4)
        check_form_token(caller, form.get("csrf"))
        context = console(request)
        context.accounts.close_session(request.cookies.get(SESSION_COOKIE, ""))
        context.accounts.audit(
            "logout", context.clock(), user=caller.principal.name, address=client_address(request)
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
