"""Accounts, tokens, sessions and the audit log in the call-log database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, func, insert, select

from pbx_bridge.core.console_access import Principal, Role
from pbx_bridge.storage.models import web_audit, web_sessions, web_tokens, web_users
from pbx_bridge.web.auth.secrets import hash_password, new_token, token_hash, verify_password


class AccountError(ValueError):
    """A refused account change, with a one-line reason."""


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: Role
    tenants: tuple[str, ...]
    created: datetime

    @property
    def principal(self) -> Principal:
        return Principal(self.name, self.role, self.tenants)


@dataclass(frozen=True)
class Session:
    principal: Principal
    csrf: str
    expires: datetime


def _account(row: object) -> Account:
    return Account(
        id=int(row.id),  # type: ignore[attr-defined]
        name=row.name,  # type: ignore[attr-defined]
        role=Role(row.role),  # type: ignore[attr-defined]
        tenants=tuple(row.tenants.split()),  # type: ignore[attr-defined]
        created=row.created,  # type: ignore[attr-defined]
    )


class AccountStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- accounts ------------------------------------------------------------------------

    def add_user(
        self, name: str, role: Role, tenants: Sequence[str], password: str, now: datetime
    ) -> Account:
        with self.engine.begin() as connection:
            if _find(connection, name) is not None:
                raise AccountError(f"user {name!r} exists already")
            connection.execute(
                insert(web_users).values(
                    name=name,
                    role=role.value,
                    tenants=" ".join(tenants),
                    password_hash=hash_password(password),
                    created=now,
                )
            )
            found = _find(connection, name)
        assert found is not None
        return found

    def users(self) -> list[Account]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(web_users).order_by(web_users.c.name))
            return [_account(row) for row in rows]

    def user(self, name: str) -> Account | None:
        with self.engine.connect() as connection:
            return _find(connection, name)

    def remove_user(self, name: str) -> bool:
        """Remove the account with its tokens and sessions; False if there is none."""
        with self.engine.begin() as connection:
            found = _find(connection, name)
            if found is None:
                return False
            connection.execute(delete(web_tokens).where(web_tokens.c.user_id == found.id))
            connection.execute(delete(web_sessions).where(web_sessions.c.user_id == found.id))
            connection.execute(delete(web_users).where(web_users.c.id == found.id))
            return True

    def check_password(self, name: str, password: str) -> Account | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(web_users).where(web_users.c.name == name)).first()
        stored = None if row is None else row.password_hash
        if not verify_password(stored, password) or row is None:
            return None
        return _account(row)

    # --- API tokens ----------------------------------------------------------------------

    def new_api_token(self, name: str, now: datetime) -> str:
        with self.engine.begin() as connection:
            found = _find(connection, name)
            if found is None:
                raise AccountError(f"no user {name!r}")
            token = new_token()
            connection.execute(
                insert(web_tokens).values(
                    user_id=found.id, token_hash=token_hash(token), created=now
                )
            )
            return token

    def principal_of_token(self, token: str) -> Principal | None:
        query = (
            select(web_users)
            .join(web_tokens, web_tokens.c.user_id == web_users.c.id)
            .where(web_tokens.c.token_hash == token_hash(token))
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else _account(row).principal

    # --- sessions ------------------------------------------------------------------------

    def open_session(self, account: Account, now: datetime, lifetime: timedelta) -> tuple[str, str]:
        """(cookie token, form token) of a new session."""
        token, csrf = new_token(), new_token()
        with self.engine.begin() as connection:
            connection.execute(delete(web_sessions).where(web_sessions.c.expires <= now))
            connection.execute(
                insert(web_sessions).values(
                    token_hash=token_hash(token),
                    user_id=account.id,
                    csrf=csrf,
                    created=now,
                    expires=now + lifetime,
                )
            )
        return token, csrf

    def session(self, token: str, now: datetime) -> Session | None:
        """The live session of a cookie token; None when unknown, expired or the user is gone."""
        query = (
            select(web_users, web_sessions.c.csrf, web_sessions.c.expires)
            .join(web_sessions, web_sessions.c.user_id == web_users.c.id)
            .where(web_sessions.c.token_hash == token_hash(token), web_sessions.c.expires > now)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        return Session(_account(row).principal, row.csrf, row.expires)

    def close_session(self, token: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                delete(web_sessions).where(web_sessions.c.token_hash == token_hash(token))
            )

    # --- audit log -----------------------------------------------------------------------

    def audit(
        self,
        event: str,
        now: datetime,
        *,
        user: str | None = None,
        address: str | None = None,
        detail: str | None = None,
    ) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                insert(web_audit).values(
                    at=now,
                    event=event,
                    user_name=None if user is None else user[:64],
                    address=None if address is None else address[:64],
                    detail=detail,
                )
            )

    def failures_since(self, since: datetime, *, user: str, address: str) -> tuple[int, int]:
        """Failed logins since `since`: (for this account name, from this address)."""
        failed = (web_audit.c.event == "login_failed") & (web_audit.c.at >= since)
        count = func.count()
        with self.engine.connect() as connection:
            by_user = connection.execute(
                select(count).where(failed, web_audit.c.user_name == user[:64])
            ).scalar_one()
            by_address = connection.execute(
                select(count).where(failed, web_audit.c.address == address[:64])
            ).scalar_one()
        return int(by_user), int(by_address)

    def audit_entries(
        self, limit: int = 100
    ) -> list[tuple[datetime, str, str | None, str | None, str | None]]:
        query = (
            select(
                web_audit.c.at,
                web_audit.c.event,
                web_audit.c.user_name,
                web_audit.c.address,
                web_audit.c.detail,
            )
            .order_by(web_audit.c.at.desc(), web_audit.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(query)]


def _find(connection: Connection, name: str) -> Account | None:
    row = connection.execute(select(web_users).where(web_users.c.name == name)).first()
    return None if row is None else _account(row)
