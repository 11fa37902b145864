"""Alembic run programmatically: the migrations ship inside the package, no alembic.ini."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class SchemaOutdatedError(RuntimeError):
    """The database exists but is not at the revision this version of pbx-bridge needs."""


class CountsZoneError(SchemaOutdatedError):
    """The call counts keep local days of another zone than the configured one.

    Writers go on (the triggers keep counting in the stored zone); reports refuse.
    """


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "the package ships at least one migration"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head", *, zone: ZoneInfo | None = None) -> str:
    """Migrate to `revision`; returns the revision the database is at afterwards.

    `zone` is the center's: the migration that counts calls per local day needs it.
    """
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["zone"] = zone
        command.upgrade(config, revision)
    return current_revision(engine) or "base"


def ensure_schema(engine: Engine, zone: ZoneInfo) -> None:
    """Create the schema in an empty database; refuse an outdated one.

    An empty database is what the embedded SQLite default starts as, so creating it needs no
    admin step; an existing one is migrated only by an explicit `pbx-bridge db upgrade`.
    """
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if current is None:
        upgrade(engine, zone=zone)
        return
    raise SchemaOutdatedError(
        f"database is at revision {current}, this pbx-bridge needs {head}: "
        "run `pbx-bridge db upgrade`"
    )
