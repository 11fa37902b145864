"""A sign-in attempt: throttling, the password check, the session and the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from pbx_bridge.web.context import ConsoleContext


class LoginResult(StrEnum):
    OK = "login"
    WRONG = "login_failed"
    LOCKED = "login_locked"


@dataclass(frozen=True)
class LoginAttempt:
    result: LoginResult
    session_token: str | None = None


def attempt_login(context: ConsoleContext, name: str, password: str, address: str) -> LoginAttempt:
    """Blocking (argon2 takes tens of milliseconds on purpose): run it off the event loop."""
    now = context.clock()
    since = now - timedelta(seconds=context.throttle.window_s)
    failures = context.accounts.failures_since(since, user=name, address=address)
    if context.throttle.locked(*failures):
        attempt = LoginAttempt(LoginResult.LOCKED)
    else:
        account = context.accounts.check_password(name, password)
        if account is None:
            attempt = LoginAttempt(LoginResult.WRONG)
        else:
            lifetime = context.settings.session_lifetime
            token, _csrf = context.accounts.open_session(account, now, lifetime)
            attempt = LoginAttempt(LoginResult.OK, token)
    context.accounts.audit(attempt.result.value, now, user=name, address=address)
    return attempt


def logout(context: ConsoleContext, session_token: str, name: str, address: str) -> None:
    context.accounts.close_session(session_token)
    context.accounts.audit("logout", context.clock(), user=name, address=address)
