"""calls.source: who wrote the record, the AMI tracker (NULL) or the CDR reconciliation ("cdr").

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("source", sa.String(8)))


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("source")
