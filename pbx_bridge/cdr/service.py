"""Reconciliation in the daemon: a worker thread, so reading the CDR never delays routing.

It runs a while after every AMI login (the first one follows the daemon's start: calls that
began and ended while it was down; later ones: calls of an AMI outage) and nightly. The wait
lets the tracker write first what it knows: the records it restored and resynced.
A bad source or an unavailable database is logged and counted, and tried again next time.
"""

from __future__ import annotations

import threading
import time as clock
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import structlog

from pbx_bridge.cdr.cel_sources import CelSourceError
from pbx_bridge.cdr.opening import open_cel, open_source
from pbx_bridge.cdr.reconcile import Reconciled, reconcile
from pbx_bridge.cdr.settings import CdrSettings
from pbx_bridge.cdr.sources import CdrSourceError
from pbx_bridge.core.calls import CallRecord
from pbx_bridge.core.privacy import PrivacyPolicy
from pbx_bridge.storage import UNAVAILABLE_ERRORS
from pbx_bridge.storage.calllog import CallLog

log = structlog.get_logger("pbx_bridge.cdr")


class ReconcileService:
    def __init__(
        self,
        settings: CdrSettings,
        call_log: CallLog,
        node: str,
        privacy: PrivacyPolicy,
        region: str,
        *,
        on_result: Callable[[Reconciled], None] = lambda _result: None,
        on_error: Callable[[str], None] = lambda _kind: None,
        settle_s: float | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.call_log = call_log
        self.node = node
        self.privacy = privacy
        self.region = region
        self._on_result = on_result
        self._on_error = on_error
        self._settle_s = settings.delay_s if settle_s is None else settle_s
        self._now = now
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._due: float | None = None  # monotonic time of the requested run
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.runs = 0

    def request(self, why: str) -> None:
        """Run once `settle_s` from now (a later request within that wait joins it)."""
        with self._lock:
            if self._due is None:
                self._due = clock.monotonic() + self._settle_s
                log.info("cdr_reconcile_requested", why=why, in_s=self._settle_s)
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="pbxb-cdr", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread (a run in progress is waited for up to `timeout`), then close the
        call log it was given: the daemon opens one for it alone."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._thread is None or not self._thread.is_alive():
            self.call_log.close()

    def _loop(self) -> None:
        nightly = self._next_nightly()
        while not self._stop.is_set():
            with self._lock:
                due = self._due
            now = clock.monotonic()
            wait = nightly - now if due is None else min(due, nightly) - now
            if wait > 0:
                self._wake.wait(wait)
                self._wake.clear()
                continue
            if due is not None and due <= now:
                with self._lock:
                    self._due = None
            if nightly <= now:
                nightly = self._next_nightly()
            self.run_once()

    def _next_nightly(self) -> float:
        """The monotonic time of the next nightly run (settings.nightly_at, local time)."""
        zone = self.settings.zone
        local = self._now().astimezone(zone)
        target = datetime.combine(local.date(), self.settings.nightly_at, zone)
        if target <= local:
            target = datetime.combine(local.date() + timedelta(1), self.settings.nightly_at, zone)
        return clock.monotonic() + (target - local).total_seconds()

    def run_once(self) -> Reconciled | None:
        """One reconciliation of the last `lookback_hours`; None when it could not run."""
        until = self._now()
        since = until - timedelta(hours=self.settings.lookback_hours)
        started = clock.monotonic()
        try:
            source = open_source(self.settings)
            result = reconcile(
                source,
                self.call_log,
                self.node,
                privacy=self.privacy,
                region=self.region,
                since=since,
                until=until,
                cel=open_cel(self.settings),
            )
        except CdrSourceError as exc:
            bad = self.settings.cel if isinstance(exc, CelSourceError) else self.settings
            assert bad is not None  # a CEL error needs a CEL source
            log.error("cdr_source_bad", source=bad.describe(), error=str(exc))
            self._on_error("source")
            return None
        except UNAVAILABLE_ERRORS as exc:
            log.warning("cdr_reconcile_database_unavailable", error=str(exc).splitlines()[0])
            self._on_error("database")
            return None
        except Exception as exc:  # never let the thread die: the next run tries again
            log.exception("cdr_reconcile_failed", error=str(exc))
            self._on_error("internal")
            return None
        self.runs += 1
        log.info(
            "cdr_reconciled",
            cdr_calls=result.cdr_calls,
            missing=len(result.missing),
            corrected=len(result.corrected),
            seconds=round(clock.monotonic() - started, 3),
        )
        for record in result.missing:
            _log_written(record, "missing")
        for record in result.corrected:
            _log_written(record, "corrected")
        self._on_result(result)
        return result


def _log_written(record: CallRecord, why: str) -> None:
    log.info(
        "cdr_record_written",
        why=why,
        call_id=record.call_id,
        tenant=record.tenant,
        outcome=record.outcome.value,
    )
