"""Reports: counts per service-level threshold for purged months, mailed-report deliveries,
and an index on call_id (history imports skip calls the daemon already recorded).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "monthly_service_levels",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("department", sa.String(128), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("threshold_s", sa.Integer(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("answered_within", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant",
            "department",
            "outcome",
            "month",
            "threshold_s",
            name="pk_monthly_service_levels",
        ),
    )
    # Months purged before this revision keep the one threshold they were folded with.
    op.execute(
        "INSERT INTO monthly_service_levels "
        "(tenant, department, outcome, month, threshold_s, calls, answered_within) "
        "SELECT tenant, department, outcome, month, threshold_s, SUM(calls), "
        "SUM(answered_within) FROM monthly_aggregates "
        "GROUP BY tenant, department, outcome, month, threshold_s"
    )
    op.create_table(
        "report_deliveries",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("address", sa.String(254), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime()),
        sa.Column("error", sa.Text()),
        sa.PrimaryKeyConstraint("tenant", "month", "address", name="pk_report_deliveries"),
    )
    op.create_index("ix_calls_call_id", "calls", ["call_id"])


def downgrade() -> None:
    op.drop_index("ix_calls_call_id", "calls")
    op.drop_table("report_deliveries")
    op.drop_table("monthly_service_levels")
