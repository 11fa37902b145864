"""Callback tickets say who asked for them: an agent's wrap-up or the caller while waiting.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("source", sa.String(8), nullable=False, server_default="agent"))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("source")
