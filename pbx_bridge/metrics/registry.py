"""Every metric the daemon exports, in one registry object (no module-level globals)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from pbx_bridge.core.calls import CallRecord
from pbx_bridge.core.routing import Action, Decision

WAIT_BUCKETS = (5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600)
DECISION_BUCKETS = (0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5)


class _InProgress(Collector):
    """Calls in progress by tenant, read from the tracker at scrape time."""

    def __init__(self, source: Callable[[], dict[str, int]]) -> None:
        self._source = source

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "pbxb_calls_in_progress", "Calls in progress by tenant", labels=["tenant"]
        )
        for tenant, count in sorted(self._source().items()):
            family.add_metric([tenant], count)
        yield family


class _ClosedAdHoc(Collector):
    """Tenants closed by an ad hoc closure now (their own or the whole center's)."""

    def __init__(self, source: Callable[[], int]) -> None:
        self._source = source

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "pbxb_tenants_closed_adhoc",
            "Tenants closed by an ad hoc closure (pbx-bridge close) now",
            value=self._source(),
        )


class _Waiting(Collector):
    """Callers waiting in the queue now and the longest wait, by tenant (the Today board)."""

    def __init__(self, source: Callable[[], dict[str, tuple[int, float]]]) -> None:
        self._source = source

    def collect(self) -> Iterator[GaugeMetricFamily]:
        waiting = GaugeMetricFamily(
            "pbxb_callers_waiting", "Callers in the queue, not yet answered", labels=["tenant"]
        )
        longest = GaugeMetricFamily(
            "pbxb_longest_wait_seconds",
            "Seconds the longest-waiting caller has been in the queue",
            labels=["tenant"],
        )
        for tenant, (count, seconds) in sorted(self._source().items()):
            waiting.add_metric([tenant], count)
            longest.add_metric([tenant], round(seconds, 1))
        yield waiting
        yield longest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.calls = Counter(
            "pbxb_calls", "Finished calls by tenant and outcome", ["tenant", "outcome"], registry=r
        )
        self.queue_wait = Histogram(
            "pbxb_queue_wait_seconds",
            "Seconds callers waited in the queue (answered or not), by tenant",
            ["tenant"],
            buckets=WAIT_BUCKETS,
            registry=r,
        )
        self.decision_seconds = Histogram(
            "pbxb_routing_decision_seconds",
            "Time to take a routing decision (config snapshot to decision)",
            buckets=DECISION_BUCKETS,
            registry=r,
        )
        self.decisions = Counter(
            "pbxb_routing_decisions", "Routing decisions by action", ["action"], registry=r
        )
        # One child per action, made now: every action is exported (at 0 until it happens),
        # and a call's count costs no label lookup under the metric's lock. Figure: with the
        # peer verdicts and cached AGI replies, -3.4 % (open) and -6.6 % (closed) instructions
        # per FastAGI session (benchmarks/agi_instructions.py).
        self._decisions_by_action = {a: self.decisions.labels(str(a)) for a in Action}
        self.failsafe_calls = Counter(
            "pbxb_failsafe_calls",
            "Calls decided without the daemon (path: fallback or generic)",
            ["path"],
            registry=r,
        )
        self.ami_connected = Gauge("pbxb_ami_connected", "1 while AMI is logged in", registry=r)
        self.ami_reconnects = Counter("pbxb_ami_reconnects", "AMI reconnects", registry=r)
        self.config_reloads = Counter(
            "pbxb_config_reloads", "Configuration reloads by result", ["result"], registry=r
        )
        self.config_last_reload = Gauge(
            "pbxb_config_last_reload_success_timestamp_seconds",
            "When the configuration in force was loaded",
            registry=r,
        )
        self.tickets_open = Gauge(
            "pbxb_callback_tickets_open", "Open callback tickets", ["tenant"], registry=r
        )
        self.tickets_overdue = Gauge(
            "pbxb_callback_tickets_overdue", "Open tickets past due", ["tenant"], registry=r
        )
        self.agi_refused = Counter(
            "pbxb_agi_refused",
            "FastAGI connections refused (protocol, crowded, busy, timeout, peer, unknown_script)",
            ["reason"],
            registry=r,
        )
        self.metrics_refused = Counter(
            "pbxb_metrics_refused", "Metrics requests from peers not allowed", registry=r
        )
        self.records_spooled = Gauge(
            "pbxb_records_spooled", "Records waiting in the disk spool for the database", registry=r
        )
        self.cdr_reconciled = Counter(
            "pbxb_cdr_reconciled",
            "Records written from Asterisk's CDR (missing: the log had none; corrected: guessed)",
            ["kind"],
            registry=r,
        )
        self.cdr_errors = Counter(
            "pbxb_cdr_errors",
            "Reconciliations that could not run (source: CDR or CEL missing, unreadable, bad)",
            ["kind"],
            registry=r,
        )
        self.cdr_last_reconciled = Gauge(
            "pbxb_cdr_last_reconciled_timestamp_seconds",
            "When the call log was last reconciled with Asterisk's CDR",
            registry=r,
        )

    def watch_in_progress(self, source: Callable[[], dict[str, int]]) -> None:
        self.registry.register(_InProgress(source))

    def watch_closures(self, source: Callable[[], int]) -> None:
        self.registry.register(_ClosedAdHoc(source))

    def watch_waiting(self, source: Callable[[], dict[str, tuple[int, float]]]) -> None:
        self.registry.register(_Waiting(source))

    def observe_decision(self, decision: Decision, seconds: float) -> None:
        self.decision_seconds.observe(seconds)
        self._decisions_by_action[decision.action].inc()

    def observe_record(self, record: CallRecord) -> None:
        tenant = record.tenant or ""
        self.calls.labels(tenant, str(record.outcome)).inc()
        if record.wait_s is not None:
            self.queue_wait.labels(tenant).observe(record.wait_s)
        if record.decided_by in ("fallback", "generic"):
            self.failsafe_calls.labels(record.decided_by).inc()
