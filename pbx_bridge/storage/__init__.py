"""The call log: SQLAlchemy models, Alembic migrations, repository, spool and report queries.

The daemon uses `CallLog` (through `SpoolingWriter`) from a worker thread; the CLI uses it
directly. Nothing here holds business rules: those live in `pbx_bridge.core`.
"""

from __future__ import annotations

from pbx_bridge.storage.calllog import CallLog
from pbx_bridge.storage.engine import UNAVAILABLE_ERRORS, is_unavailable
from pbx_bridge.storage.purge import PurgeCounts
from pbx_bridge.storage.reports import Report, ReportQuery, TicketCounts
from pbx_bridge.storage.schema import SchemaOutdatedError
from pbx_bridge.storage.spool import SpoolingWriter
from pbx_bridge.storage.writes import WrapupResult, WrapupStatus

__all__ = [
    "UNAVAILABLE_ERRORS",
    "CallLog",
    "PurgeCounts",
    "Report",
    "ReportQuery",
    "SchemaOutdatedError",
    "SpoolingWriter",
    "TicketCounts",
    "WrapupResult",
    "WrapupStatus",
    "is_unavailable",
]
