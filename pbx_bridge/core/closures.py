"""Ad hoc closures: a tenant, or the whole center, closed now by a supervisor.

A closure is the strongest rule of all: it wins over every exception, holiday and the
weekly hours (precedence: closure > tenant exception > center exception > holiday > hours).
It is in force from `since` up to `until` (open-ended without one), so whether a tenant is
closed at an instant stays a pure function of that instant and the closures given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

WHOLE_CENTER = "*"  # the scope of a closure of every tenant (and of unrouted calls)


@dataclass(frozen=True)
class Closure:
    scope: str  # a tenant id, or WHOLE_CENTER
    reason: str
    since: datetime  # timezone-aware
    until: datetime | None = None  # timezone-aware; None: until opened again
    announcement: str | None = None  # sound name; None: the tenant's closed prompt
    by: str = ""  # who closed: a Unix user, or "phone:<extension>"

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise ValueError(f"closure {name} needs a timezone-aware instant")
        if self.until is not None and self.until <= self.since:
            raise ValueError("a closure must end after it starts")

    @property
    def whole_center(self) -> bool:
        return self.scope == WHOLE_CENTER

    def in_force_at(self, at: datetime) -> bool:
        return self.since <= at and (self.until is None or at < self.until)


@dataclass(frozen=True)
class Closures:
    """The closures known, at most one per scope (closing again replaces the reason)."""

    items: tuple[Closure, ...] = ()

    @classmethod
    def of(cls, closures: Iterable[Closure]) -> Closures:
        by_scope = {c.scope: c for c in closures}
        return cls(
            tuple(sorted(by_scope.values(), key=lambda c: (c.scope != WHOLE_CENTER, c.scope)))
        )

    def for_tenant(self, tenant_id: str | None, at: datetime) -> Closure | None:
        """The closure in force for `tenant_id` (None: a call no tenant claims) at `at`.

        The tenant's own closure is preferred over the center's: it names its own reason and
        announcement.
        """
        center: Closure | None = None
        for closure in self.items:
            if not closure.in_force_at(at):
                continue
            if closure.scope == tenant_id:
                return closure
            if closure.whole_center:
                center = closure
        return center

    def in_force(self, at: datetime) -> tuple[Closure, ...]:
        return tuple(c for c in self.items if c.in_force_at(at))

    def closed_tenants(self, tenant_ids: Iterable[str], at: datetime) -> list[str]:
        return [t for t in tenant_ids if self.for_tenant(t, at) is not None]

    def __bool__(self) -> bool:
        return bool(self.items)


NO_CLOSURES = Closures()
