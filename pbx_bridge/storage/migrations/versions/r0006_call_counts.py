"""call_days, call_hours, call_waits: counts of the live calls per node, kept by triggers.

Creates the tables, the center's UTC offsets the triggers read, the triggers, and counts the
calls already stored (in the zone `pbx-bridge db upgrade` is configured with).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import context, op

from pbx_bridge.storage import call_counts
from pbx_bridge.storage.types import UtcDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "call_days",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("node", sa.String(64), nullable=False),
        sa.Column("department", sa.String(128), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("wait_answered_s", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant", "day", "node", "department", "outcome", name="pk_call_days"
        ),
    )
    op.create_table(
        "call_hours",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("node", sa.String(64), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "day", "node", "hour", name="pk_call_hours"),
    )
    op.create_table(
        "call_waits",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("node", sa.String(64), nullable=False),
        sa.Column("wait_class", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("abandoned", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "day", "node", "wait_class", name="pk_call_waits"),
    )
    op.create_table(
        "local_offsets",
        sa.Column("since", UtcDateTime(), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("since", name="pk_local_offsets"),
    )
    connection = op.get_bind()
    call_counts.create_triggers(connection)
    zone = context.config.attributes.get("zone")
    if not isinstance(zone, ZoneInfo):
        raise RuntimeError("run migrations through `pbx-bridge db upgrade`: it knows the zone")
    call_counts.rebuild(connection, zone)


def downgrade() -> None:
    call_counts.drop_triggers(op.get_bind())
    for table in ("local_offsets", "call_waits", "call_hours", "call_days"):
        op.drop_table(table)
