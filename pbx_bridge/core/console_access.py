"""Who may see what in the web console: roles, tenant scope and login throttling (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    CENTER = "center"  # the center's lead: every tenant, unrouted calls included
    SUPERVISOR = "supervisor"  # a municipality's supervisor: the listed tenants
    AGENT = "agent"  # tickets and today's calls of the listed tenants


class Area(StrEnum):
    TODAY = "today"
    REPORTS = "reports"
    CALLS = "calls"
    TICKETS = "tickets"
    EXPORT = "export"


ROLE_AREAS: dict[Role, frozenset[Area]] = {
    Role.CENTER: frozenset(Area),
    Role.SUPERVISOR: frozenset(Area),
    Role.AGENT: frozenset({Area.TODAY, Area.CALLS, Area.TICKETS}),
}

ALL_TENANTS = "all"


class AccessDeniedError(Exception):
    """The principal may not see this; the message never names another tenant's data."""


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role
    tenants: tuple[str, ...] = ()  # ignored for center

    def may_enter(self, area: Area) -> bool:
        return area in ROLE_AREAS[self.role]

    def sees(self, tenant: str | None) -> bool:
        """Whether this tenant's data (None: calls no tenant claims) may be shown."""
        if self.role is Role.CENTER:
            return True
        return tenant is not None and tenant in self.tenants

    @property
    def sees_everything(self) -> bool:
        return self.role is Role.CENTER

    def visible(self, configured: Iterable[str]) -> list[str]:
        """The configured tenants this principal sees, plus its own ones no longer configured."""
        if self.sees_everything:
            return sorted(configured)
        return sorted(self.tenants)

    def scope(self, requested: str | None) -> tuple[str, ...] | None:
        """Tenants a query covers: None means every tenant (center only).

        `requested` is a tenant id, `all` or None (no filter asked for). Raises
        AccessDeniedError for a tenant outside the principal's list.
        """
        if requested in (None, "", ALL_TENANTS):
            return None if self.sees_everything else self.tenants
        assert requested is not None
        if not self.sees(requested):
            raise AccessDeniedError("not one of your tenants")
        return (requested,)

    def single_tenant(self, requested: str | None) -> str | None:
        """One tenant for a report (None: all, center only); a supervisor's own by default."""
        if requested in (None, "", ALL_TENANTS):
            if self.sees_everything:
                return None
            if requested in (None, "") and self.tenants:
                return self.tenants[0]
            raise AccessDeniedError("figures of all tenants are for the center only")
        assert requested is not None
        if not self.sees(requested):
            raise AccessDeniedError("not one of your tenants")
        return requested


@dataclass(frozen=True)
class ThrottlePolicy:
    """Failed logins counted over `window_s`; past a limit, logins are refused until it ends."""

    window_s: int = 900
    per_account: int = 5
    per_address: int = 20

    def locked(self, account_failures: int, address_failures: int) -> bool:
        return account_failures >= self.per_account or address_failures >= self.per_address
