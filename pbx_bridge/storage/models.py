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
        Index("ix_calls_call_id", "call_id"),
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
    source: Mapped[str] = mapped_column(String(8), server_default="agent")  # agent | caller


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


class MonthlyServiceLevel(Base):
    """Purged calls answered within each threshold in force when folded, per local month.

    `calls` is how many of the group's calls were folded with this threshold: when it falls
    short of the group's calls in `monthly_aggregates`, the threshold is unknown for the month.
    """

    __tablename__ = "monthly_service_levels"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    department: Mapped[str] = mapped_column(String(128), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    threshold_s: Mapped[int] = mapped_column(Integer, primary_key=True)
    calls: Mapped[int] = mapped_column(Integer)
    answered_within: Mapped[int] = mapped_column(Integer)


class CallDay(Base):
    """Live calls per local day, node, department and outcome (kept by triggers on `calls`)."""

    __tablename__ = "call_days"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD, center's zone
    node: Mapped[str] = mapped_column(String(64), primary_key=True)  # the call's Asterisk
    department: Mapped[str] = mapped_column(String(128), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16), primary_key=True)
    calls: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)
    wait_answered_s: Mapped[float] = mapped_column(Float)


class CallHour(Base):
    """Live calls per local day, node and hour, for the traffic profile (kept by triggers)."""

    __tablename__ = "call_hours"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    node: Mapped[str] = mapped_column(String(64), primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    calls: Mapped[int] = mapped_column(Integer)


class CallWait(Base):
    """Live calls per local day, node and wait class, so any threshold counts exactly.

    `wait_class` is 2 * floor(wait) + (1 if the wait is not whole seconds), waits above the
    cap in one class: wait <= T exactly when wait_class <= 2T, wait < S when wait_class < 2S.
    """

    __tablename__ = "call_waits"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    node: Mapped[str] = mapped_column(String(64), primary_key=True)
    wait_class: Mapped[int] = mapped_column(Integer, primary_key=True)
    answered: Mapped[int] = mapped_column(Integer)  # answered calls that were offered
    abandoned: Mapped[int] = mapped_column(Integer)


class LocalOffset(Base):
    """The center's UTC offset from each instant on: how the triggers find the local day."""

    __tablename__ = "local_offsets"

    since: Mapped[datetime] = mapped_column(UtcDateTime(), primary_key=True)
    offset_minutes: Mapped[int] = mapped_column(Integer)
    zone: Mapped[str] = mapped_column(String(64))


class ReportDelivery(Base):
    """One monthly report mailed to one address: sent once, failures retried on the next run."""

    __tablename__ = "report_deliveries"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    address: Mapped[str] = mapped_column(String(254), primary_key=True)
    status: Mapped[str] = mapped_column(String(8))  # sent | failed
    attempts: Mapped[int] = mapped_column(Integer)
    last_attempt: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    error: Mapped[str | None] = mapped_column(Text)


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


class WebUser(Base):
    """A console account: role center (every tenant), supervisor or agent (listed tenants)."""

    __tablename__ = "web_users"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    tenants: Mapped[str] = mapped_column(Text)  # tenant ids separated by spaces
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id, with its parameters
    created: Mapped[datetime] = mapped_column(UtcDateTime())


class WebToken(Base):
    """An API token; only its SHA-256 is kept, so a database dump reveals no usable token."""

    __tablename__ = "web_tokens"
    __table_args__ = (UniqueConstraint("token_hash"), Index("ix_web_tokens_user_id", "user_id"))

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Id)
    token_hash: Mapped[str] = mapped_column(String(64))
    created: Mapped[datetime] = mapped_column(UtcDateTime())


class WebSession(Base):
    """A login: the cookie carries the token, the table its SHA-256 and the form token."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user_id", "user_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Id)
    csrf: Mapped[str] = mapped_column(String(64))
    created: Mapped[datetime] = mapped_column(UtcDateTime())
    expires: Mapped[datetime] = mapped_column(UtcDateTime())


class WebAudit(Base):
    """Logins, failed logins, exports and account changes; also what login throttling counts."""

    __tablename__ = "web_audit"
    __table_args__ = (
        Index("ix_web_audit_event_at", "event", "at"),
        Index("ix_web_audit_at", "at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    event: Mapped[str] = mapped_column(String(32))
    user_name: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)


calls = cast(Table, Call.__table__)
wrapups = cast(Table, WrapupRow.__table__)
tickets = cast(Table, Ticket.__table__)
monthly_aggregates = cast(Table, MonthlyAggregate.__table__)
hourly_aggregates = cast(Table, HourlyAggregate.__table__)
ticket_aggregates = cast(Table, TicketAggregate.__table__)
monthly_service_levels = cast(Table, MonthlyServiceLevel.__table__)
report_deliveries = cast(Table, ReportDelivery.__table__)
web_users = cast(Table, WebUser.__table__)
web_tokens = cast(Table, WebToken.__table__)
web_sessions = cast(Table, WebSession.__table__)
web_audit = cast(Table, WebAudit.__table__)
call_days = cast(Table, CallDay.__table__)
call_hours = cast(Table, CallHour.__table__)
call_waits = cast(Table, CallWait.__table__)
local_offsets = cast(Table, LocalOffset.__table__)
