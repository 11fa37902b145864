"""Alembic environment, run programmatically by `pbx_bridge.storage.schema` (no alembic.ini).

The caller hands over an open connection in `config.attributes["connection"]`, so migrations
use the same engine settings (WAL, busy timeout) as the daemon.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from pbx_bridge.storage.models import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds tables for later migrations.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations through `pbx-bridge db upgrade`, not the alembic CLI")
_run(connection)
