"""The call-log tables. Migrations in `migrations/versions/` must match these models."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Float, Index, Integer, MetaData, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pbx_bridge.storage.types import Id, UtcDateTime

# Stable constraint names, so later migrations can refer to them on both databases.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
}

# Aggregate tables use '' for "no tenant / no department": NULLs would defeat their primary keys.
NONE_KEY = ""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Call(Base):
    """One row per call; `outcome`/`department` are effective (tracked merged with wrap-up)."""

    __tablename__ = "calls"
    __table_args__ = (
        UniqueConstraint("node", "call_id"),
        Index("ix_calls_tenant_started", "tenant", "started"),
        Index("ix_calls_started", "started"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    node: Mapped[str] = mapped_column(String(64))
    call_id: Mapped[str] = mapped_column(String(64))
    tenant: Mapped[str | None] = mapped_column(String(64))
    department: Mapped[str | None] = mapped_column(String(128))
    outcome: Mapped[str] = mapped_column(String(16))
    started: Mapped[datetime] = mapped_column(UtcDateTime())
    ended: Mapped[datetime] = mapped_column(UtcDateTime())
    queued: Mapped[datetime | None] = mapped_column(UtcDateTime())
    answered: Mapped[datetime | None] = mapped_column(UtcDateTime())
    wait_s: Mapped[float | None] = mapped_column(Float)
    talk_s: Mapped[float | None] = mapped_column(Float)
    dialled: Mapped[str | None] = mapped_column(String(32))
    redirecting: Mapped[str | None] = mapped_column(String(32))
    caller: Mapped[str | None] = mapped_column(String(32))
    queue: Mapped[str | None] = mapped_column(String(64))
    agent: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(8))  # None: AMI; "cdr": Asterisk's CDR
    # What the tracker saw, before any wrap-up: a wrap-up is re-applied on top of it.
    tracked_outcome: Mapped[str] = mapped_column(String(16))
    tracked_department: Mapped[str | None] = mapped_column(String(128))
    tracked_note: Mapped[str | None] = mapped_column(Text)


class WrapupRow(Base):
    """The wrap-up that counts for a call (last wins), also while its record is still missing."""

    __tablename__ = "wrapups"

    node: Mapped[str] = mapped_column(String(64), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    department: Mapped[str | None] = mapped_column(String(128))
    note: Mapped[str | None] = mapped_column(Text)
    caller_full: Mapped[str | None] = mapped_column(String(32))  # until a ticket holds it
    status: Mapped[str] = mapped_column(String(16))  # pending | applied | refused
    reason: Mapped[str | None] = mapped_column(Text)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("node", "call_id"),  # one ticket per call, however often wrapped up
        Index("ix_tickets_tenant_status", "tenant", "status"),
        Index("ix_tickets_created", "created"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    node: Mapped[str] = mapped_column(String(64))
    call_id: Mapped[str] = mapped_column(String(64))
    tenant: Mapped[str | None] = mapped_column(String(64))
    department: Mapped[str | None] = mapped_column(String(128))
    caller_full: Mapped[str | None] = mapped_column(String(32))  # cleared when done
    note: Mapped[str | None] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(UtcDateTime())
    due: Mapped[datetime | None] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(8))
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class MonthlyAggregate(Base):
    """Purged calls folded per local month; thresholds are those in force when folded."""

    __tablename__ = "monthly_aggregates"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    department: Mapped[str] = mapped_column(String(128), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM, center's zone
    threshold_s: Mapped[int] = mapped_column(Integer, primary_key=True)
    short_abandon_s: Mapped[int] = mapped_column(Integer, primary_key=True)
    calls: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)
    answered_within: Mapped[int] = mapped_column(Integer)
    short_abandons: Mapped[int] = mapped_column(Integer)
    wait_answered_s: Mapped[float] = mapped_column(Float)


class HourlyAggregate(Base):
    """Purged calls per local month, weekday (0 = Monday) and hour, for the traffic profile."""

    __tablename__ = "hourly_aggregates"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer, primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    calls: Mapped[int] = mapped_column(Integer)


class TicketAggregate(Base):
    """Purged done tickets per local month of creation."""

    __tablename__ = "ticket_aggregates"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    on_time: Mapped[int] = mapped_column(Integer)
    late: Mapped[int] = mapped_column(Integer)


calls = cast(Table, Call.__table__)
wrapups = cast(Table, WrapupRow.__table__)
tickets = cast(Table, Ticket.__table__)
monthly_aggregates = cast(Table, MonthlyAggregate.__table__)
hourly_aggregates = cast(Table, HourlyAggregate.__table__)
ticket_aggregates = cast(Table, TicketAggregate.__table__)
