"""Listeners of the real daemon: loopback by default, allowlists on other addresses, and a
FastAGI port that a flood of idle or slow connections cannot take away from Asterisk."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import select
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.testbed import center, ports, sounds, tracking
from tests.testbed.callcenter import CallCenter
from tests.testbed.daemon import DAEMON
from tests.testbed.sipp import Call

ELSEWHERE = "198.51.100.7"  # an Asterisk host on another machine (TEST-NET-2)
HEADER_TIMEOUT_S = 5.0  # AgiLimits.header_timeout: idle peers are dropped after it


def _local_address() -> str | None:
    """A non-loopback address of this machine, if it has one (connecting to it from here
    makes a peer that is not loopback)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent; picks the outgoing address
            address = str(probe.getsockname()[0])
        except OSError:
            return None
    return None if ipaddress.ip_address(address).is_loopback else address


class Services:
    """Daemons with tracking on the call center's FastAGI port, stopped after the test."""

    def __init__(self, call_center: CallCenter, run_dir: Path) -> None:
        self.call_center = call_center
        self.run_dir = run_dir
        self.started: list[tracking.Service] = []

    def start(self, settings: Mapping[str, Any] | None = None) -> tracking.Service:
        bridge = self.call_center.configure(center.EXAMPLE_TENANTS)
        tracked = tracking.enable(self.call_center, bridge, self.run_dir / "service", settings)
        service = tracking.start_service(self.call_center, tracked, self.run_dir / "daemon.log")
        self.started.append(service)
        return service

    def stop_all(self) -> None:
        while self.started:
            self.started.pop().stop()

    def log_files(self) -> list[tuple[str, Path]]:
        return [("pbx-bridge daemon", self.run_dir / "daemon.log")]


@pytest.fixture
def services(call_center: CallCenter, tmp_path: Path) -> Iterator[Services]:
    started = Services(call_center, tmp_path)
    yield started
    started.stop_all()


def _listening(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every listening TCP socket in the network namespace of `pid`."""
    found: set[tuple[str, int]] = set()
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        for row in path.read_text().splitlines()[1:] if path.exists() else []:
            local, state = row.split()[1], row.split()[3]
            if state != "0A":  # LISTEN
                continue
            address_hex, port_hex = local.split(":")
            raw = bytes.fromhex(address_hex)
            # The kernel prints each 32-bit word in host (little-endian) order.
            packed = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            found.add((str(ipaddress.ip_address(packed)), int(port_hex, 16)))
    return found


def _in_own_network(command: list[str]) -> list[str]:
    """`command` in a fresh network namespace (only loopback, nothing else listening), or skip."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("unshare(1) and ip(8) are needed to run the daemon in its own network")
    unshare = ["unshare", "--net"] if os.geteuid() == 0 else ["unshare", "-rn"]
    probe = subprocess.run([*unshare, "true"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"no network namespace here: {probe.stderr.strip()}")
    return [*unshare, "sh", "-c", 'ip link set lo up && exec "$0" "$@"', *command]


def test_without_listen_settings_both_listeners_bind_loopback_only(
    call_center: CallCenter, tmp_path: Path
) -> None:
    bridge = center.write_center(
        tmp_path / "config", [center.GIFHORN], agi_port=1, sounds_dir=call_center.sounds_dir
    )
    settings = yaml.safe_load(bridge.read_text())
    del settings["agi"], settings["metrics"]  # no agi:, no metrics:, no ami: the defaults
    bridge.write_text(yaml.safe_dump(settings))
    log = tmp_path / "daemon.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            _in_own_network([str(DAEMON), "run", "--config", str(bridge)]),
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        tracking.wait_for_log(log, "daemon_ready")
        listening = _listening(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
    assert listening == {("127.0.0.1", 4573), ("127.0.0.1", 9464)}
    [agi] = tracking.events(log, "agi_listening")
    [metrics] = tracking.events(log, "metrics_listening")
    assert (agi["host"], metrics["host"]) == ("127.0.0.1", "127.0.0.1")


def test_agi_on_all_addresses_refuses_peers_not_allowed_and_their_callers_still_get_through(
    call_center: CallCenter, services: Services
) -> None:
    local = _local_address()
    allowed = [ELSEWHERE, *([local] if local else [])]
    port = call_center.daemon_port
    service = services.start({"agi": {"listen": f"0.0.0.0:{port}", "allow": allowed}})

    # Asterisk connects from 127.0.0.1, which the allowlist does not name.
    [refused] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)], hold_ms=8000)
    # The daemon closes on it without a decision; the dialplan asks the fallback.
    # PBXB_ASKING is cleared after each AGI step: daemon, "", fallback, "".
    asked = [value for value in refused.values_of("PBXB_ASKING") if value]
    assert asked[:2] == ["daemon", "fallback"], refused.describe()
    assert refused.var("PBXB_DECIDED_BY") == "fallback", refused.describe()
    assert refused.var("PBXB_TENANT") == "gifhorn"
    assert refused.heard[:1] == ["pbx-bridge/gifhorn"], refused.describe()
    assert refused.queues_joined == [center.CENTER_QUEUE], refused.describe()
    scrape = service.tracking.wait_for_metrics(
        lambda s: s.total("pbxb_calls_total") == 1, what="the refused call tracked"
    )
    assert (scrape.value("pbxb_agi_refused_total", reason="peer") or 0) >= 1
    assert scrape.value("pbxb_failsafe_calls_total", path="fallback") == 1
    assert scrape.value("pbxb_routing_decision_seconds_count") == 0
    assert any(
        "127.0.0.1" in line["peer"] for line in tracking.events(service.log, "agi_refused_peer")
    )

    if local is None:
        return  # no other address on this machine to come from
    # From an allowed address the daemon decides.
    call_center.set_global("PBXB_AGI_URL", f"agi://{local}:{port}/route")
    [allowed_call] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)], hold_ms=8000)
    assert allowed_call.var("PBXB_DECIDED_BY") == "daemon", allowed_call.describe()
    assert allowed_call.heard[:1] == ["pbx-bridge/gifhorn"], allowed_call.describe()


def test_metrics_on_all_addresses_answer_only_allowed_peers(
    call_center: CallCenter, tmp_path: Path
) -> None:
    local = _local_address()
    metrics_port = ports.free_port()
    bridge = center.write_center(
        tmp_path / "config",
        [center.GIFHORN],
        agi_port=ports.free_port(),
        sounds_dir=call_center.sounds_dir,
    )
    allowed = [ELSEWHERE, *([local] if local else [])]
    tracked = tracking.enable(
        call_center,
        bridge,
        tmp_path,
        {"ami": None, "metrics": {"listen": f"0.0.0.0:{metrics_port}", "allow": allowed}},
    )
    log = tmp_path / "daemon.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(DAEMON), "run", "--config", str(tracked.config)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        tracking.wait_for_log(log, "daemon_ready")
        assert tracking.http_get(metrics_port, "/metrics") == "", "loopback was answered"
        if local is not None:
            scrape = tracking.Scrape.parse(tracking.http_get(metrics_port, "/metrics", host=local))
            assert scrape.value("pbxb_metrics_refused_total") == 1
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0


def _closed_by_peer(sock: socket.socket) -> bool:
    try:
        return sock.recv(4096) == b""
    except ConnectionResetError:
        return True
    except BlockingIOError:
        return False


def test_a_flood_of_idle_and_slow_connections_does_not_keep_calls_from_the_daemon(
    call_center: CallCenter, services: Services
) -> None:
    service = services.start()
    port = call_center.daemon_port
    opened = time.monotonic()
    flood = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(300)]
    slow = socket.create_connection(("127.0.0.1", port), timeout=10)
    garbage = socket.create_connection(("127.0.0.1", port), timeout=10)
    garbage.sendall(b"\x16\x03\x01\x02\x00" + bytes(range(256)) + b"\r\n")
    peers = [*flood, slow, garbage]

    calls = [Call(center.GIFHORN_CENTRAL) for _ in range(6)]
    hold_ms = int((sounds.longest(call_center.sounds_dir) + 2.0) * 1000)
    callers = call_center.place(calls, hold_ms=hold_ms, rate=6)
    while callers.running():  # slowloris: a valid header line now and then, never the end
        with contextlib.suppress(OSError):
            slow.sendall(b"agi_request: agi://127.0.0.1/route\n")
        time.sleep(0.5)
    result = callers.wait(5)
    assert result.ok, f"SIPp: {result.screen[-2000:]}"
    traces = call_center.traces(calls)
    for trace in traces:
        assert trace.var("PBXB_DECIDED_BY") == "daemon", trace.describe()
        assert trace.heard[:1] == ["pbx-bridge/gifhorn"], trace.describe()
        assert trace.queues_joined == [center.CENTER_QUEUE], trace.describe()
    decided = max(
        float(e["_received"])
        for t in traces
        for e in t.events
        if e.get("Event") == "VarSet" and e.get("Variable") == "PBXB_ACTION"
    )
    assert decided - opened < HEADER_TIMEOUT_S, "the calls came after the flood timed out"

    # The daemon drops every idle, slow or garbage peer after its header timeout.
    for peer in peers:
        peer.setblocking(False)
    deadline = opened + HEADER_TIMEOUT_S + 5
    open_peers = list(peers)
    while open_peers and time.monotonic() < deadline:
        select.select(open_peers, [], [], 0.5)
        open_peers = [p for p in open_peers if not _closed_by_peer(p)]
    for peer in peers:
        peer.close()
    assert not open_peers, f"{len(open_peers)} of {len(peers)} peers still connected"
    scrape = service.tracking.scrape()
    assert (scrape.value("pbxb_agi_refused_total", reason="protocol") or 0) >= len(peers)
