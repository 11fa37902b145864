"""The composition root: wires configuration, FastAGI, AMI tracking, storage, metrics, systemd."""

from __future__ import annotations

import asyncio
import contextlib
import resource
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import structlog

from pbx_bridge import channel_vars
from pbx_bridge.agi.route_handler import RouteHandler
from pbx_bridge.agi.server import UNHEARD_PER_SESSION, AgiLimits, AgiServer
from pbx_bridge.agi.supervisor_handler import SESSION_TIMEOUT_S as SUPERVISOR_SESSION_S
from pbx_bridge.agi.supervisor_handler import SupervisorHandler
from pbx_bridge.ami.call_events import wanted
from pbx_bridge.ami.call_tracker import CallTracker
from pbx_bridge.ami.link import AmiLink
from pbx_bridge.ami.tracker_persistence import TrackerPersistence
from pbx_bridge.ami.tracker_state import TrackerState
from pbx_bridge.ami.tracking_service import TrackingService
from pbx_bridge.cdr.reconcile import Reconciled
from pbx_bridge.cdr.service import ReconcileService
from pbx_bridge.closures.watcher import ClosuresWatcher
from pbx_bridge.config.errors import ConfigInvalidError
from pbx_bridge.config.loader import BridgeConfig, load_config
from pbx_bridge.core.calls import CallRecord, Wrapup
from pbx_bridge.gc_pacing import collections_paused, freeze_start_up_objects, pace_collections
from pbx_bridge.gil_turns import short_gil_turns
from pbx_bridge.metrics.http import MetricsEndpoint
from pbx_bridge.metrics.registry import Metrics
from pbx_bridge.storage import UNAVAILABLE_ERRORS
from pbx_bridge.storage.opening import open_call_log
from pbx_bridge.storage.spool import SpoolingWriter
from pbx_bridge.storage.worker import OpenTicketsPerTenant, RecordWorker
from pbx_bridge.systemd_notify import SystemdNotifier

log = structlog.get_logger("pbx_bridge.daemon")

AMI_GRACE_S = 60.0  # AMI may be down this long (Asterisk restarting) before the watchdog starves
OTHER_FILES = 256  # open files besides FastAGI connections: AMI, database, logs, metrics


def raise_open_files_limit(max_sessions: int) -> None:
    """Raise the soft open-files limit to what the FastAGI limits can use.

    systemd starts services with a soft limit of 1024 (the hard limit is far higher, for
    programs that raise their own): 1,000 idle FastAGI peers would exhaust it, and then
    accept() fails for Asterisk too. Sessions plus connections still sending their headers
    (UNHEARD_PER_SESSION per session) plus the rest must fit.
    """
    needed = (1 + UNHEARD_PER_SESSION) * max_sessions + OTHER_FILES
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (OSError, ValueError) as exc:
        log.warning("open_files_limit_low", limit=soft, needed=needed, error=str(exc))
        return
    if target < needed:
        log.warning("open_files_limit_low", limit=target, needed=needed, hard_limit=hard)
    else:
        log.info("open_files_limit_raised", limit=target, was=soft)


class ConfigHolder:
    """The configuration in force; a reload swaps it whole or not at all."""

    def __init__(self, path: Path, config: BridgeConfig, metrics: Metrics) -> None:
        self.path = path
        self._config = config
        self._metrics = metrics
        self.reloading = False  # the garbage-collection pacer rests meanwhile
        metrics.config_last_reload.set(time.time())

    def current(self) -> BridgeConfig:
        return self._config

    async def reload(self) -> bool:
        """Parse and validate in a worker thread, so calls keep being decided meanwhile (the
        loader's limits keep that short); swap on the loop, whole or not at all."""
        try:
            self.reloading = True
            with collections_paused(), short_gil_turns():
                new = await asyncio.to_thread(load_config, self.path)
        except ConfigInvalidError as exc:
            for issue in exc.issues:
                log.error("config_reload_error", issue=str(issue))
            self._rejected(errors=len(exc.issues))
            return False
        except Exception as exc:  # a loader bug must not take the daemon or its reloads down
            log.error("config_reload_error", issue=f"{type(exc).__name__}: {exc}", exc_info=True)
            self._rejected(errors=1)
            return False
        finally:
            self.reloading = False
        if new.agi_listen != self._config.agi_listen:
            log.warning("config_listen_changed_needs_restart", listen=str(new.agi_listen))
        self._config = new
        self._metrics.config_reloads.labels("ok").inc()
        self._metrics.config_last_reload.set(time.time())
        log.info("config_reloaded", generation=new.generation, tenants=len(new.directory.tenants))
        return True

    def _rejected(self, errors: int) -> None:
        log.error("config_reload_rejected", errors=errors, kept=self._config.generation)
        self._metrics.config_reloads.labels("failed").inc()


class _MeteredSink:
    """Counts finished calls in the metrics, then hands them to the storage worker."""

    def __init__(self, worker: RecordWorker, metrics: Metrics) -> None:
        self._worker = worker
        self._metrics = metrics

    def record(self, record: CallRecord) -> None:
        self._metrics.observe_record(record)
        self._worker.record(record)

    def wrapup(self, wrapup: Wrapup) -> None:
        self._worker.wrapup(wrapup)


class _Tracking:
    """AMI link + tracker + storage worker, present only when bridge.yaml has `ami:`."""

    def __init__(self, config: BridgeConfig, metrics: Metrics) -> None:
        assert config.ami is not None
        self.node = config.ami.node or config.ami.host
        call_log = open_call_log(config)
        try:
            call_log.ensure_schema()
        except UNAVAILABLE_ERRORS as exc:
            # Records go to the spool until the database answers; the worker retries.
            log.warning("database_unavailable_at_start", error=str(exc).splitlines()[0])
        writer = SpoolingWriter(call_log, config.state_dir / "spool")
        self.worker = RecordWorker(
            call_log,
            writer,
            self.node,
            on_tickets=lambda counts: _set_ticket_gauges(metrics, counts),
            on_spooled=metrics.records_spooled.set,
        )
        self.tracker = CallTracker(self.node, config.privacy, config.directory.center.country)
        metrics.watch_in_progress(self.tracker.active_by_tenant)
        tracker = self.tracker
        metrics.watch_waiting(lambda: tracker.waiting_by_tenant(datetime.now(UTC)))
        state = TrackerState(config.state_dir, self.node)
        self.service = TrackingService(
            self.tracker, _MeteredSink(self.worker, metrics), journal=state
        )
        self.persistence = TrackerPersistence(
            self.node, self.tracker, self.service, state, self.worker
        )
        self.persistence.restore()

        self._metrics = metrics
        self.reconciler = _reconciler(config, self.node, metrics) if config.cdr else None
        self.down_since: float | None = time.monotonic()
        self.link = AmiLink(
            config.ami,
            self.service.on_event,
            self.service.on_login,
            on_state=self._on_state,
            wanted=wanted,
        )

    def _on_state(self, up: bool) -> None:
        self._metrics.ami_connected.set(1 if up else 0)
        if up and self.link.reconnects:
            self._metrics.ami_reconnects.inc()
        self.down_since = None if up else time.monotonic()
        if up and self.reconciler is not None:
            self.reconciler.request("ami_login")  # also the first login after the start

    @property
    def healthy(self) -> bool:
        return self.down_since is None or time.monotonic() - self.down_since < AMI_GRACE_S


def _reconciler(config: BridgeConfig, node: str, metrics: Metrics) -> ReconcileService:
    def counted(result: Reconciled) -> None:
        for record in result.missing:
            metrics.observe_record(record)
        metrics.cdr_reconciled.labels("missing").inc(len(result.missing))
        metrics.cdr_reconciled.labels("corrected").inc(len(result.corrected))
        metrics.cdr_last_reconciled.set(time.time())

    assert config.cdr is not None
    return ReconcileService(
        config.cdr,
        open_call_log(config),
        node,
        config.privacy,
        config.directory.center.country,
        on_result=counted,
        on_error=lambda kind: metrics.cdr_errors.labels(kind).inc(),
    )


def _set_ticket_gauges(metrics: Metrics, counts: OpenTicketsPerTenant) -> None:
    metrics.tickets_open.clear()
    metrics.tickets_overdue.clear()
    for tenant, count in counts.open.items():
        metrics.tickets_open.labels(tenant).set(count)
    for tenant, count in counts.overdue.items():
        metrics.tickets_overdue.labels(tenant).set(count)


class Daemon:
    def __init__(
        self,
        config: BridgeConfig,
        limits: AgiLimits | None = None,
        notifier: SystemdNotifier | None = None,
    ) -> None:
        self.metrics = Metrics()
        self.notifier = notifier or SystemdNotifier()
        self.config = ConfigHolder(config.path, config, self.metrics)
        self.tracking = _Tracking(config, self.metrics) if config.ami else None
        self.closures = ClosuresWatcher(lambda: self.config.current().state_dir)
        self.closures.refresh()
        self.metrics.watch_closures(self._tenants_closed_adhoc)
        handler = RouteHandler(
            self.config.current,
            clock=lambda: datetime.now(UTC),
            observe=self.metrics.observe_decision,
            on_decided=self.tracking.service.on_decision if self.tracking else None,
            closures=self.closures.current,
        )
        supervisor = SupervisorHandler(self.config.current, clock=lambda: datetime.now(UTC))
        self.agi = AgiServer(
            {channel_vars.AGI_SCRIPT: handler, channel_vars.SUPERVISOR_SCRIPT: supervisor},
            limits or AgiLimits(max_sessions=config.agi_max_sessions),
            on_refused=lambda reason: self.metrics.agi_refused.labels(reason).inc(),
            peers=config.agi_peers,
            session_timeouts={channel_vars.SUPERVISOR_SCRIPT: SUPERVISOR_SESSION_S},
        )
        self.metrics_endpoint = MetricsEndpoint(self.metrics, config.metrics_peers, self.healthy)
        self._stop = asyncio.Event()
        self._reloads_pending = 0
        self._reloader: asyncio.Task[None] | None = None

    def healthy(self) -> bool:
        return self.tracking is None or self.tracking.healthy

    def _tenants_closed_adhoc(self) -> int:
        tenants = (t.id for t in self.config.current().directory.tenants)
        return len(self.closures.current().closed_tenants(tenants, datetime.now(UTC)))

    def request_stop(self) -> None:
        self._stop.set()

    def reload(self) -> None:
        """SIGHUP: one reload per signal, one at a time, off the loop's critical path."""
        self._reloads_pending += 1
        if self._reloader is None or self._reloader.done():
            self._reloader = asyncio.get_running_loop().create_task(self._reload_pending())

    async def _reload_pending(self) -> None:
        while self._reloads_pending:
            self._reloads_pending -= 1
            self.notifier.reloading()
            ok = False
            try:
                ok = await self.config.reload()
            finally:  # READY=1 after every RELOADING=1, whatever happened in between
                generation = self.config.current().generation
                status = f"STATUS=configuration {generation}"
                self.notifier.send("READY=1", status + ("" if ok else " (reload rejected)"))

    async def run(self, stop_grace: float = 10.0) -> int:
        config = self.config.current()
        raise_open_files_limit(config.agi_max_sessions)
        await self.agi.start(config.agi_listen.host, config.agi_listen.port)
        await self.metrics_endpoint.start(config.metrics_listen.host, config.metrics_listen.port)
        ami_task: asyncio.Task[None] | None = None
        state_task: asyncio.Task[None] | None = None
        if self.tracking is not None:
            self.tracking.worker.start()
            if self.tracking.reconciler is not None:
                self.tracking.reconciler.start()
            ami_task = asyncio.create_task(self.tracking.link.run(self._stop))
            state_task = asyncio.create_task(self.tracking.persistence.keep())
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.request_stop)
        loop.add_signal_handler(signal.SIGINT, self.request_stop)
        loop.add_signal_handler(signal.SIGHUP, self.reload)
        watchdog = asyncio.create_task(self._pet_watchdog())
        closures_task = asyncio.create_task(self.closures.run())
        freeze_start_up_objects()
        pacer = asyncio.create_task(pace_collections(paused=lambda: self.config.reloading))
        self.notifier.ready(f"configuration {config.generation}")
        log.info("daemon_ready", generation=config.generation, tracking=self.tracking is not None)
        await self._stop.wait()
        self.notifier.stopping()
        log.info("daemon_stopping", sessions=self.agi.active_sessions)
        watchdog.cancel()
        pacer.cancel()
        closures_task.cancel()
        if self._reloader is not None:
            self._reloader.cancel()  # a reload's thread finishes alone; its result is dropped
        await self.agi.stop(stop_grace)
        if ami_task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ami_task, 5.0)
        if self.tracking is not None:
            if state_task is not None:
                state_task.cancel()
            if self.tracking.reconciler is not None:
                await asyncio.to_thread(self.tracking.reconciler.stop)
            flushed = await asyncio.to_thread(self.tracking.worker.stop, stop_grace)
            # After the flush: the snapshot keeps only what could not be written in time.
            self.tracking.persistence.save()
            self.tracking.persistence.close()
            log.info("records_flushed", complete=flushed, written=self.tracking.worker.written)
        await self.metrics_endpoint.stop()
        log.info("daemon_stopped")
        return 0

    async def _pet_watchdog(self) -> None:
        """Pet systemd's watchdog only while the loop runs and AMI is (nearly) healthy."""
        interval = self.notifier.watchdog_interval
        if interval is None:
            return
        while True:
            if self.healthy():
                self.notifier.watchdog()
            else:
                log.error("watchdog_starving", reason="AMI down too long")
            await asyncio.sleep(interval)
