"""The call-log repository: a small synchronous API the daemon runs in a worker thread.

Every method is one transaction. Methods that write start it with the write lock on SQLite
(BEGIN IMMEDIATE), so they wait up to the busy timeout and then fail with OperationalError,
which `SpoolingWriter` takes as "database unavailable".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from pbx_bridge.core.calls import CallbackTicket, CallRecord, Outcome, TicketStatus, Wrapup
from pbx_bridge.core.kpis import KpiSettings, KpiThresholds
from pbx_bridge.core.periods import Period
from pbx_bridge.core.schedule import Schedule
from pbx_bridge.core.tenants import TenantDirectory
from pbx_bridge.storage import call_counts, history_import, listing, schema, writes
from pbx_bridge.storage import deliveries as delivery_store
from pbx_bridge.storage import purge as purging
from pbx_bridge.storage import tickets as ticket_store
from pbx_bridge.storage.deliveries import DeliveryState
from pbx_bridge.storage.engine import DEFAULT_BUSY_TIMEOUT_S, IMMEDIATE, make_engine
from pbx_bridge.storage.history_import import ImportCounts, Problem
from pbx_bridge.storage.purge import PurgeCounts
from pbx_bridge.storage.reports import Report, ReportQuery, build_report
from pbx_bridge.storage.writes import WrapupResult

_FALLBACK_ZONE = ZoneInfo("Europe/Berlin")


class CallLog:
    def __init__(
        self,
        url: str,
        *,
        directory: TenantDirectory | None = None,
        thresholds: KpiThresholds | None = None,
        tenant_thresholds: Mapping[str, KpiThresholds] | None = None,
        busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
    ) -> None:
        self.url = url
        self.directory = directory
        self.kpis = KpiSettings(thresholds or KpiThresholds(), dict(tenant_thresholds or {}))
        # Months, weekdays and hours are the center's; without a directory, Germany's.
        self.zone = directory.center.timezone if directory else _FALLBACK_ZONE
        self.engine: Engine = make_engine(url, busy_timeout_s=busy_timeout_s)

    def close(self) -> None:
        self.engine.dispose()

    # --- schema -------------------------------------------------------------------------

    def upgrade(self) -> str:
        """Migrate to the newest schema; returns the revision."""
        return schema.upgrade(self.engine, zone=self.zone)

    def ensure_schema(self) -> None:
        """Create the schema in an empty database; SchemaOutdatedError if behind."""
        schema.ensure_schema(self.engine, self.zone)

    def check_counts_zone(self) -> None:
        """CountsZoneError if the counts keep another zone's days than the configured one."""
        with self.engine.connect() as connection:
            self._check_counts_zone(connection)

    def _check_counts_zone(self, connection: Connection) -> None:
        counted = call_counts.counted_zone(connection)
        if counted is not None and counted != self.zone.key:
            raise schema.CountsZoneError(
                f"the call counts are kept in the time zone {counted}, the configuration "
                f"names {self.zone.key}: run `pbx-bridge db rebuild-counts`"
            )

    def rebuild_counts(self) -> int:
        """Recount every stored call in the configured zone; returns how many were counted."""
        if schema.current_revision(self.engine) != schema.head_revision():
            schema.ensure_schema(self.engine, self.zone)  # creates, or refuses an old schema
        with self._writing() as connection:
            return call_counts.rebuild(connection, self.zone)

    # --- writes -------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            connection.execution_options(**{IMMEDIATE: True})
            with connection.begin():
                yield connection

    def _schedule_of(self, tenant: str | None) -> Schedule | None:
        if tenant is None or self.directory is None:
            return None
        found = self.directory.tenant(tenant)
        return None if found is None else found.schedule

    def write_record(self, record: CallRecord) -> None:
        """Insert or update by (node, call_id); a stored wrap-up is (re-)applied."""
        with self._writing() as connection:
            writes.write_record(connection, record, self._schedule_of)

    def write_records(self, records: Sequence[CallRecord]) -> None:
        """`write_record` for each, in order, in one transaction: all are written or none."""
        with self._writing() as connection:
            writes.write_records(connection, records, self._schedule_of)

    def apply_wrapup(self, wrapup: Wrapup, node: str) -> WrapupResult:
        """Apply now, or keep pending until the record arrives; refusals carry a reason."""
        with self._writing() as connection:
            return writes.apply_wrapup(connection, wrapup, node, self._schedule_of)

    def create_ticket(self, ticket: CallbackTicket) -> CallbackTicket:
        with self._writing() as connection:
            return ticket_store.create_ticket(connection, ticket)

    def mark_done(self, ticket_id: int, now: datetime) -> CallbackTicket | None:
        with self._writing() as connection:
            return ticket_store.mark_done(connection, ticket_id, now)

    def purge(self, older_than: timedelta, now: datetime, *, dry_run: bool = False) -> PurgeCounts:
        """Fold details that started before `now - older_than` into aggregates, delete them.

        `dry_run` does all of it and rolls back, so the counts are exactly what a purge does.
        """
        cutoff = now.astimezone(UTC) - older_than
        with self.engine.connect() as connection:
            connection.execution_options(**{IMMEDIATE: True})
            transaction = connection.begin()
            try:
                # Every threshold any report may ask for, the center's first one first.
                folding = KpiThresholds(
                    self.kpis.every_service_level_s(), self.kpis.center.short_abandon_s
                )
                counts = purging.purge(connection, cutoff, self.zone, folding)
            except BaseException:
                transaction.rollback()
                raise
            if dry_run:
                transaction.rollback()
            else:
                transaction.commit()
            return counts

    def import_history(
        self,
        items: Iterable[dict[str, Any] | Problem],
        on_error: Callable[[Problem], None],
        *,
        dry_run: bool = False,
    ) -> ImportCounts:
        """Write imported call rows in one transaction: all of them, or none if any is bad.

        `dry_run` reads and checks everything and writes nothing.
        """
        with self.engine.connect() as connection:
            connection.execution_options(**{IMMEDIATE: True})
            transaction = connection.begin()
            try:
                counts = history_import.import_rows(connection, items, on_error)
            except BaseException:
                transaction.rollback()
                raise
            if dry_run or counts.errors:
                transaction.rollback()
            else:
                transaction.commit()
            return counts

    def record_delivery(
        self, tenant: str | None, month: str, address: str, *, at: datetime, error: str | None
    ) -> None:
        """A mailed report's attempt: sent (error None) or failed, to be retried."""
        with self._writing() as connection:
            delivery_store.record_attempt(connection, tenant, month, address, at=at, error=error)

    def deliveries(self) -> list[DeliveryState]:
        with self.engine.connect() as connection:
            return delivery_store.states(connection)

    # --- reads --------------------------------------------------------------------------

    def get_record(self, node: str, call_id: str) -> CallRecord | None:
        with self.engine.connect() as connection:
            return listing.find_record(connection, node, call_id)

    def nodes_of(self, call_id: str) -> list[str]:
        with self.engine.connect() as connection:
            return listing.nodes_of(connection, call_id)

    def list_calls(
        self,
        *,
        tenant: str | None = None,
        first: date | None = None,
        last: date | None = None,
        outcome: Outcome | None = None,
        limit: int | None = None,
    ) -> list[CallRecord]:
        """Calls that started on the local dates first..last (both inclusive, both optional)."""
        start = None if first is None else datetime.combine(first, time(0), self.zone)
        end = None if last is None else datetime.combine(last + timedelta(1), time(0), self.zone)
        with self.engine.connect() as connection:
            return listing.list_calls(
                connection, tenant=tenant, start=start, end=end, outcome=outcome, limit=limit
            )

    def list_tickets(
        self,
        *,
        tenant: str | None = None,
        status: TicketStatus | None = None,
        overdue_at: datetime | None = None,
    ) -> list[CallbackTicket]:
        with self.engine.connect() as connection:
            return ticket_store.list_tickets(
                connection, tenant=tenant, status=status, overdue_at=overdue_at
            )

    def get_ticket(self, ticket_id: int) -> CallbackTicket | None:
        with self.engine.connect() as connection:
            return ticket_store.get_ticket(connection, ticket_id)

    def report(
        self,
        *,
        tenant: str | None,
        first: date,
        last: date,
        now: datetime,
        by: Period | None = None,
        node: str | None = None,
    ) -> Report:
        """Figures for the local dates first..last; tenant None: the whole center.

        `by` adds the series of the period's months, weeks or days; `node` keeps one
        Asterisk's calls and tickets (None: every node).
        """
        thresholds = self.kpis.of(tenant)
        query = ReportQuery(tenant, first, last, self.zone, thresholds, now, by, node)
        with self.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                # All queries of one report see one snapshot, even while the daemon writes.
                connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                self._check_counts_zone(connection)
                return build_report(connection, query)
