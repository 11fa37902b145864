"""Call log: calls, wrap-ups, callback tickets and the aggregates that survive purge.

Revision ID: 0001
Revises:
Create Date: 2024-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("node", sa.String(64), nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("tenant", sa.String(64)),
        sa.Column("department", sa.String(128)),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("started", sa.DateTime(), nullable=False),
        sa.Column("ended", sa.DateTime(), nullable=False),
        sa.Column("queued", sa.DateTime()),
        sa.Column("answered", sa.DateTime()),
        sa.Column("wait_s", sa.Float()),
        sa.Column("talk_s", sa.Float()),
        sa.Column("dialled", sa.String(32)),
        sa.Column("redirecting", sa.String(32)),
        sa.Column("caller", sa.String(32)),
        sa.Column("queue", sa.String(64)),
        sa.Column("agent", sa.String(64)),
        sa.Column("detail", sa.Text()),
        sa.Column("decided_by", sa.String(16)),
        sa.Column("note", sa.Text()),
        sa.Column("tracked_outcome", sa.String(16), nullable=False),
        sa.Column("tracked_department", sa.String(128)),
        sa.Column("tracked_note", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_calls"),
        sa.UniqueConstraint("node", "call_id", name="uq_calls_node_call_id"),
    )
    # (tenant, started) serves every scoped report and listing; (started) the "all" reports.
    op.create_index("ix_calls_tenant_started", "calls", ["tenant", "started"])
    op.create_index("ix_calls_started", "calls", ["started"])
    op.create_table(
        "wrapups",
        sa.Column("node", sa.String(64), nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("department", sa.String(128)),
        sa.Column("note", sa.Text()),
        sa.Column("caller_full", sa.String(32)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.PrimaryKeyConstraint("node", "call_id", name="pk_wrapups"),
    )
    op.create_table(
        "tickets",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("node", sa.String(64), nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("tenant", sa.String(64)),
        sa.Column("department", sa.String(128)),
        sa.Column("caller_full", sa.String(32)),
        sa.Column("note", sa.Text()),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("due", sa.DateTime()),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("done_at", sa.DateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_tickets"),
        sa.UniqueConstraint("node", "call_id", name="uq_tickets_node_call_id"),
    )
    op.create_index("ix_tickets_tenant_status", "tickets", ["tenant", "status"])
    op.create_index("ix_tickets_created", "tickets", ["created"])
    op.create_table(
        "monthly_aggregates",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("department", sa.String(128), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("threshold_s", sa.Integer(), nullable=False),
        sa.Column("short_abandon_s", sa.Integer(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("answered_within", sa.Integer(), nullable=False),
        sa.Column("short_abandons", sa.Integer(), nullable=False),
        sa.Column("wait_answered_s", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant",
            "department",
            "outcome",
            "month",
            "threshold_s",
            "short_abandon_s",
            name="pk_monthly_aggregates",
        ),
    )
    op.create_table(
        "hourly_aggregates",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "month", "weekday", "hour", name="pk_hourly_aggregates"),
    )
    op.create_table(
        "ticket_aggregates",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("late", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "month", name="pk_ticket_aggregates"),
    )


def downgrade() -> None:
    for table in ("ticket_aggregates", "hourly_aggregates", "monthly_aggregates"):
        op.drop_table(table)
    op.drop_index("ix_tickets_created", "tickets")
    op.drop_index("ix_tickets_tenant_status", "tickets")
    op.drop_table("tickets")
    op.drop_table("wrapups")
    op.drop_index("ix_calls_started", "calls")
    op.drop_index("ix_calls_tenant_started", "calls")
    op.drop_table("calls")
