"""Who is asking: a Bearer token or the session cookie; and what they may enter."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request

from pbx_bridge.core.console_access import Area, Principal
from pbx_bridge.web.auth.secrets import same
from pbx_bridge.web.context import ConsoleContext

SESSION_COOKIE = "pbxb_session"
LOGIN_CSRF_COOKIE = "pbxb_login"


class NotSignedInError(Exception):
    """No valid session or token: pages redirect to the login, the API answers 401."""


@dataclass(frozen=True)
class Caller:
    principal: Principal
    csrf: str | None  # None for API tokens: they are never sent by a browser on its own


def console(request: Request) -> ConsoleContext:
    context: ConsoleContext = request.app.state.context
    return context


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def authenticate(request: Request) -> Caller | None:
    context = console(request)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        principal = context.accounts.principal_of_token(token.strip())
        return None if principal is None else Caller(principal, None)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    session = context.accounts.session(cookie, context.clock())
    return None if session is None else Caller(session.principal, session.csrf)


def require(request: Request, area: Area) -> Caller:
    caller = authenticate(request)
    if caller is None:
        raise NotSignedInError
    if not caller.principal.may_enter(area):
        raise HTTPException(403, "your role does not include this page")
    return caller


def check_form_token(caller: Caller, submitted: object) -> None:
    """Every state-changing form carries the session's form token (CSRF)."""
    if caller.csrf is None:
        return  # an API token in a header: no ambient authority a foreign site could borrow
    if not isinstance(submitted, str) or not same(submitted, caller.csrf):
        raise HTTPException(403, "the form expired or did not come from this console: reload it")
