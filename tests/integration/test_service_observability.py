"""What an admin sees of real calls: the metrics endpoint and the daemon's log.

One daemon with AMI tracking serves the module's traffic: a Gifhorn caller decided by the
daemon and answered, a Gifhorn caller decided by the fallback (the daemon's FastAGI address
unreachable) and answered, and a Meinersen caller who waits in a queue nobody answers and
hangs up. Tests read the metrics scraped during and after it, the log and the call log.
"""

from __future__ import annotations

import dataclasses
import os
import pty
import select
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

from tests.testbed import center, ports, sounds, tracking
from tests.testbed.callcenter import NOBODY_QUEUE, CallCenter
from tests.testbed.calls import CallTrace
from tests.testbed.daemon import DAEMON
from tests.testbed.sipp import Call

MEINERSEN_WAITING = dataclasses.replace(center.MEINERSEN, extra={"queue": NOBODY_QUEUE})
TENANTS = (center.GIFHORN, MEINERSEN_WAITING, center.WOLFSBURG)


@dataclass(frozen=True)
class Traffic:
    service: tracking.Service
    by_daemon: CallTrace  # Gifhorn, answered
    by_fallback: CallTrace  # Gifhorn Kfz, answered
    waiting: CallTrace  # Meinersen, hung up while waiting
    during: tracking.Scrape  # while the Meinersen caller waits
    after: tracking.Scrape

    def log_files(self) -> list[tuple[str, Path]]:
        return self.service.log_files()

    def calls(self) -> list[tuple[CallTrace, str]]:
        """(trace, tenant) of every call."""
        return [
            (self.by_daemon, "gifhorn"),
            (self.by_fallback, "gifhorn"),
            (self.waiting, "meinersen"),
        ]


@pytest.fixture(scope="module")
def traffic(
    session_call_center: CallCenter, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Traffic]:
    pbx = session_call_center
    run_dir = tmp_path_factory.mktemp("observability")
    tracked = tracking.enable(pbx, pbx.configure(TENANTS), run_dir)
    service = tracking.start_service(pbx, tracked, run_dir / "daemon.log")
    try:
        pbx.set_global("PBXB_AGI_URL", f"agi://127.0.0.1:{ports.free_port()}/route")  # closed
        try:
            [by_fallback] = pbx.run_calls([Call(center.GIFHORN_KFZ)], hold_ms=8000)
        finally:
            pbx.reset_globals()

        greeting_s = sounds.longest(pbx.sounds_dir)
        waiting, answered = Call(center.MEINERSEN_CENTRAL), Call(center.GIFHORN_CENTRAL)
        waiting_callers = pbx.place([waiting], hold_ms=int((greeting_s + 3) * 1000))
        answered_callers = pbx.place([answered], hold_ms=8000)
        pbx.ami.wait_until(
            tracking.in_queue(waiting.caller), 15, "the Meinersen caller in the queue"
        )
        during = tracked.scrape()
        for callers in (waiting_callers, answered_callers):
            result = callers.wait(30)
            assert result.ok, f"SIPp {callers.name}: {result.screen[-2000:]}"
        waited, by_daemon = pbx.traces([waiting, answered])
        after = tracked.wait_for_metrics(
            lambda s: s.total("pbxb_calls_total") == 3, what="3 calls counted"
        )
        yield Traffic(service, by_daemon, by_fallback, waited, during, after)
    finally:
        service.stop()


def test_metrics_after_real_calls_count_outcomes_waits_decisions_and_the_fallback(
    traffic: Traffic,
) -> None:
    assert traffic.by_daemon.var("PBXB_DECIDED_BY") == "daemon", traffic.by_daemon.describe()
    assert traffic.by_fallback.var("PBXB_DECIDED_BY") == "fallback", traffic.by_fallback.describe()
    assert traffic.waiting.abandoned, traffic.waiting.describe()
    during, after = traffic.during, traffic.after

    assert during.value("pbxb_calls_in_progress", tenant="meinersen") == 1, during.text
    assert after.total("pbxb_calls_in_progress") == 0, after.text
    assert after.value("pbxb_calls_total", tenant="gifhorn", outcome="resolved") == 2
    assert after.value("pbxb_calls_total", tenant="meinersen", outcome="abandoned") == 1
    assert after.value("pbxb_queue_wait_seconds_count", tenant="gifhorn") == 2
    assert after.value("pbxb_queue_wait_seconds_count", tenant="meinersen") == 1
    # Service level: both Gifhorn callers were answered within 20 s, the Meinersen caller
    # hung up after about three seconds.
    assert after.value("pbxb_queue_wait_seconds_bucket", tenant="gifhorn", le="20.0") == 2
    assert after.value("pbxb_queue_wait_seconds_bucket", tenant="meinersen", le="5.0") == 1
    # Only the daemon's own decisions are timed; the fallback's call counts as failsafe.
    assert after.value("pbxb_routing_decision_seconds_count") == 2
    assert after.value("pbxb_routing_decisions_total", action="queue") == 2
    assert after.value("pbxb_failsafe_calls_total", path="fallback") == 1
    assert after.value("pbxb_ami_connected") == 1
    assert after.value("pbxb_ami_reconnects_total") == 0
    assert after.value("pbxb_records_spooled") == 0

    stored = {
        row["call_id"]: row
        for row in traffic.service.tracking.wait_for_records(len(traffic.calls()))
    }
    for trace, tenant in traffic.calls():
        assert stored[trace.linkedid]["tenant"] == tenant, stored[trace.linkedid]
    assert stored[traffic.by_fallback.linkedid]["decided_by"] == "fallback"


def _ids(trace: CallTrace) -> set[str]:
    """Linkedid and the Uniqueid of every channel of the call."""
    return {trace.linkedid} | {e["Uniqueid"] for e in trace.events if e.get("Uniqueid")}


def test_every_log_line_of_a_call_is_a_json_line_naming_its_linkedid_and_tenant(
    traffic: Traffic,
) -> None:
    lines = tracking.log_lines(traffic.service.log)  # fails on any line that is not JSON
    for trace, tenant in traffic.calls():
        ids = _ids(trace)
        mine = [line for line in lines if any(value in ids for value in line.values())]
        events = {line["event"] for line in mine}
        expected = {"call_ended"} | ({"call_routed"} if trace is not traffic.by_fallback else set())
        assert expected <= events, f"{trace.describe()}: logged {events}"
        for line in mine:
            assert line.get("linkedid") == trace.linkedid, line
            assert line.get("tenant") == tenant, line
            assert {"timestamp", "level"} <= line.keys(), line


def test_log_shows_neither_the_ami_secret_nor_a_full_caller_number(traffic: Traffic) -> None:
    text = traffic.service.log.read_text()
    assert traffic.service.tracking.ami_secret not in text
    for trace, _ in traffic.calls():
        assert trace.caller not in text, f"caller {trace.caller} in the log"
    stored = {
        row["call_id"]: row
        for row in traffic.service.tracking.wait_for_records(len(traffic.calls()))
    }
    for trace, _ in traffic.calls():
        assert stored[trace.linkedid]["caller"] == trace.caller[:-3] + "xxx"


def _config_without_calls(
    call_center: CallCenter, run_dir: Path, settings: dict[str, object]
) -> tracking.Tracking:
    """A configuration of its own (own ports) for a daemon that takes no calls."""
    bridge = center.write_center(
        run_dir / "config",
        [center.GIFHORN],
        agi_port=ports.free_port(),
        sounds_dir=call_center.sounds_dir,
    )
    return tracking.enable(call_center, bridge, run_dir, settings)


def test_a_refused_ami_login_does_not_put_the_secret_in_the_log(
    call_center: CallCenter, tmp_path: Path
) -> None:
    tracked = _config_without_calls(call_center, tmp_path, {})
    wrong = "not-the-secret-4711"
    tracked.secret_file.write_text(wrong + "\n")
    log = tmp_path / "daemon.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(DAEMON), "run", "--config", str(tracked.config)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        [refused] = tracking.wait_for_log(log, "ami_secret_unusable")
        assert "refused" in refused["error"], refused
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
    text = log.read_text()
    assert wrong not in text
    assert call_center.asterisk.ami_secret not in text
    tracking.log_lines(log)  # every line JSON, third-party messages included


def _read_pty_until(fd: int, marker: bytes, timeout: float) -> bytes:
    out = b""
    deadline = time.monotonic() + timeout
    while marker not in out and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                out += os.read(fd, 65536)
            except OSError:  # EIO: the other side closed
                break
    return out


def _run_daemon(
    config: Path, stdout: int | IO[bytes], stderr: int | IO[bytes]
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(DAEMON), "run", "--config", str(config)],
        stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def test_log_is_readable_on_a_terminal_and_json_lines_when_stdout_is_not_one(
    call_center: CallCenter, tmp_path: Path
) -> None:
    tracked = _config_without_calls(call_center, tmp_path, {"ami": None})
    # stdout a terminal, stderr not: an admin running it by hand with 2>errors.txt.
    terminal, other_end = pty.openpty()
    with (tmp_path / "stderr-1.txt").open("wb") as errors:
        process = _run_daemon(tracked.config, other_end, errors)
    os.close(other_end)
    try:
        shown = _read_pty_until(terminal, b"daemon_ready", 15).decode(errors="replace")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
        os.close(terminal)
    ready = [line for line in shown.splitlines() if "daemon_ready" in line]
    assert ready, shown
    assert not ready[0].lstrip().startswith("{"), f"JSON on a terminal: {ready[0]}"
    assert "generation=" in ready[0], ready[0]

    # stdout a file or journald, stderr a terminal: JSON lines.
    log = tmp_path / "stdout-2.log"
    terminal, other_end = pty.openpty()
    with log.open("wb") as out:
        process = _run_daemon(tracked.config, out, other_end)
    os.close(other_end)
    try:
        tracking.wait_for_log(log, "daemon_ready")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
        os.close(terminal)
    assert [line["event"] for line in tracking.log_lines(log)][-1] == "daemon_stopped"
