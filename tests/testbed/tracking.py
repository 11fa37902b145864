"""The daemon as a service for tests: call tracking over the testbed's AMI, a SQLite call log,
a metrics endpoint on a free port, and readers for what it exposes (metrics, records, log).

    bridge = call_center.configure(center.EXAMPLE_TENANTS)
    tracked = tracking.enable(call_center, bridge, tmp_path)
    service = tracking.start_service(call_center, tracked, tmp_path / "daemon.log")
    ... calls ...
    tracked.scrape().value("pbxb_calls_total", tenant="gifhorn", outcome="resolved")
    tracked.records()                      # rows of the call log's `calls` table
    tracking.events(service.log, "call_routed")
    service.stop()

Everything is read from the outside, the way an admin or Prometheus sees it: HTTP, the
database file, the daemon's log.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.testbed import ports
from tests.testbed.ami import Event
from tests.testbed.callcenter import CallCenter
from tests.testbed.calls import CallTrace
from tests.testbed.daemon import Daemon

T = TypeVar("T")
LogLine = dict[str, Any]


@dataclass(frozen=True)
class Tracking:
    """What `enable` wrote into bridge.yaml, and where to look."""

    config: Path  # bridge.yaml
    state_dir: Path
    database: Path
    secret_file: Path
    ami_secret: str
    metrics_port: int

    def scrape(self, timeout: float = 5) -> Scrape:
        return Scrape.parse(http_get(self.metrics_port, "/metrics", timeout=timeout))

    def wait_for_metrics(
        self, check: Callable[[Scrape], bool], timeout: float = 10, what: str = "metrics"
    ) -> Scrape:
        """Scrape until `check` holds (the daemon sees AMI events a moment after the test)."""
        return poll(lambda: _if(self.scrape(), check), timeout, what)

    def wait_for_records(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        """The rows once there are at least `count` (the writer batches: a record lands up to
        a moment after the metrics count the call)."""
        return poll(lambda: _if(self.records(), lambda rows: len(rows) >= count), timeout,
                    f"{count} call records")  # fmt: skip

    def records(self) -> list[dict[str, Any]]:
        """Every row of the call log's `calls` table (empty before the first write)."""
        if not self.database.exists():
            return []
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as db:
            db.row_factory = sqlite3.Row
            try:
                return [dict(row) for row in db.execute("SELECT * FROM calls ORDER BY id")]
            except sqlite3.OperationalError:  # schema not created yet
                return []


def enable(
    call_center: CallCenter,
    bridge_yaml: Path,
    run_dir: Path,
    settings: Mapping[str, Any] | None = None,
) -> Tracking:
    """Add `ami` (the testbed's manager account, secret in a 0600 file), `database` (SQLite in
    `run_dir`), `state_dir` and `metrics.listen` (a free loopback port) to `bridge_yaml`.

    `settings` are merged over the result, one level deep (e.g. {"agi": {"allow": [...]}}).
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    state_dir = run_dir / "state"
    state_dir.mkdir(exist_ok=True)
    secret_file = run_dir / "ami.secret"
    secret = call_center.asterisk.ami_secret
    fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secret + "\n")
    os.chmod(secret_file, 0o600)  # also when it existed with other bits
    database = state_dir / "calls.sqlite3"
    metrics_port = ports.free_port()

    bridge: dict[str, Any] = yaml.safe_load(bridge_yaml.read_text())
    bridge["state_dir"] = str(state_dir)
    bridge["database"] = {"url": f"sqlite:///{database}"}
    bridge["ami"] = {
        "host": "127.0.0.1",
        "port": call_center.asterisk.ami_port,
        "username": "pbx-bridge",  # its own user: events filtered (templates/manager.conf)
        "secret_file": str(secret_file),
    }
    bridge["metrics"] = {"listen": f"127.0.0.1:{metrics_port}"}
    for key, value in (settings or {}).items():
        if isinstance(value, Mapping) and isinstance(bridge.get(key), dict):
            bridge[key] = {**bridge[key], **value}
        else:
            bridge[key] = value
    if isinstance(bridge.get("metrics"), dict):
        metrics_port = int(str(bridge["metrics"]["listen"]).rpartition(":")[2])
    bridge_yaml.write_text(yaml.safe_dump(bridge, allow_unicode=True, sort_keys=False))
    return Tracking(bridge_yaml, state_dir, database, secret_file, secret, metrics_port)


@dataclass
class Service:
    """A started daemon with tracking; `log_files` lets a failing test print its log."""

    daemon: Daemon
    tracking: Tracking

    @property
    def log(self) -> Path:
        return self.daemon.log

    @property
    def pid(self) -> int:
        assert self.daemon.process is not None, "daemon not running"
        return self.daemon.process.pid

    def log_files(self) -> list[tuple[str, Path]]:
        return self.daemon.log_files()

    def stop(self) -> None:
        self.daemon.stop()


def start_service(call_center: CallCenter, tracked: Tracking, log: Path) -> Service:
    """Start `pbx-bridge run` on the written configuration; return once it is ready (signal
    handlers installed) and, when it tracks calls, logged in to AMI."""
    started = call_center.daemon(log)
    started.start()
    service = Service(started, tracked)
    try:
        wait_for_log(log, "daemon_ready")
        if yaml.safe_load(tracked.config.read_text()).get("ami"):
            wait_for_log(log, "ami_resynced")
    except BaseException:
        started.stop()
        raise
    return service


# ---- metrics -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scrape:
    """One /metrics answer: samples by name and labels."""

    text: str
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float]

    @classmethod
    def parse(cls, text: str) -> Scrape:
        samples = {
            (s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
        }
        return cls(text, samples)

    def value(self, name: str, **labels: str) -> float | None:
        """The sample with exactly these labels, or None when it is not exported."""
        return self.samples.get((name, frozenset(labels.items())))

    def total(self, name: str, **labels: str) -> float:
        """Sum of every sample of `name` whose labels include `labels` (0 when none)."""
        wanted = set(labels.items())
        return sum(v for (n, have), v in self.samples.items() if n == name and wanted <= have)


def http_get(port: int, path: str, host: str = "127.0.0.1", timeout: float = 5) -> str:
    """The body of a GET; '' when the peer closes without an answer (a refused peer)."""
    data = b""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
    if not data:
        return ""
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0].decode("latin-1")
    if " 200 " not in f"{status} ":
        raise AssertionError(f"GET {path} on port {port}: {status}")
    return body.decode("utf-8")


# ---- the daemon's log ------------------------------------------------------------------------


def log_lines(log: Path) -> list[LogLine]:
    """Every line of the daemon's log as JSON; fails on a line that is not a JSON object."""
    lines: list[LogLine] = []
    if not log.exists():
        return lines
    for number, text in enumerate(log.read_text(errors="replace").splitlines(), 1):
        if not text.strip():
            continue
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            raise AssertionError(f"{log}:{number} is not a JSON line: {text[:200]!r}") from None
        if not isinstance(parsed, dict):
            raise AssertionError(f"{log}:{number} is not a JSON object: {text[:200]!r}")
        lines.append(parsed)
    return lines


def events(log: Path, name: str) -> list[LogLine]:
    return [line for line in log_lines(log) if line.get("event") == name]


def wait_for_log(log: Path, name: str, timeout: float = 15, count: int = 1) -> list[LogLine]:
    """Wait until the daemon has logged event `name` at least `count` times."""
    return poll(
        lambda: found if len(found := events(log, name)) >= count else None,
        timeout,
        f"{count}x {name!r} in {log}",
    )


# ---- waiting -------------------------------------------------------------------------------


def in_queue(caller: str) -> Callable[[list[Event]], CallTrace | None]:
    """For `AmiRecorder.wait_until`: the call of `caller` once it has joined a queue."""

    def check(events: list[Event]) -> CallTrace | None:
        trace = CallTrace.find(events, caller)
        return trace if trace is not None and trace.queues_joined else None

    return check


def poll(check: Callable[[], T | None], timeout: float, what: str, every: float = 0.1) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not seen within {timeout:g}s")
        time.sleep(every)


def _if(value: T, check: Callable[[T], bool]) -> T | None:
    return value if check(value) else None
