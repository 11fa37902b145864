"""SIPp processes for the testbed: agents' phones (UAS) and callers on the trunk (UAC).

Scenarios are templates in tests/testbed/sipp/ (`@NAME@` placeholders, rendered per process).
Every process keeps its error log, statistics and final screen in the run folder.
"""

from __future__ import annotations

import csv
import itertools
import os
import re
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.testbed import dtmf_pcap, ports
from tests.testbed.load_priority import niced

SCENARIOS = Path(__file__).resolve().parent / "sipp"

# SIPp's exit codes (sipp(1)).
EXIT_ALL_OK = 0
EXIT_SOME_FAILED = 1

_caller_numbers = itertools.count(1)


def fictional_caller_number() -> str:
    """A calling number no real subscriber has (German numbers do not start 0999), unique."""
    return f"0999{os.getpid() % 1000:03d}{next(_caller_numbers):05d}"


@dataclass(frozen=True)
class Call:
    """One call placed on the trunk."""

    dialled: str  # Request-URI user, e.g. "05371820" or "+495371820"
    diversion: str | None = None  # number in a Diversion header (a forwarded call)
    withheld: bool = False  # the caller withholds the number (CLIR: Privacy: id)
    # Calling number, unique per call so its AMI events can be found.
    caller: str = field(default_factory=fictional_caller_number)
    name: str = ""  # the caller's display name in From (no ";": it is a CSV field)


@dataclass(frozen=True)
class SippResult:
    returncode: int
    successful: int
    failed: int
    screen: str

    @property
    def ok(self) -> bool:
        return self.returncode == EXIT_ALL_OK


def _render(template: str, values: dict[str, object], dest: Path) -> Path:
    text = (SCENARIOS / template).read_text()
    for key, value in values.items():
        text = text.replace(f"@{key}@", str(value))
    dest.write_text(text)
    return dest


class Sipp:
    """One SIPp process."""

    def __init__(self, name: str, run_dir: Path, args: Sequence[str]) -> None:
        self.name = name
        self.run_dir = run_dir
        self.port = ports.free_port()
        self.media_port = ports.free_port()
        self.error_log = run_dir / f"{name}.errors.log"
        self.stats = run_dir / f"{name}.stats.csv"
        self.screen = run_dir / f"{name}.screen.log"
        self.output = run_dir / f"{name}.out.log"
        self.args = niced([
            "sipp",
            *args,
            "-i", "127.0.0.1",
            "-p", str(self.port),
            "-mp", str(self.media_port),
            "-nostdin",
            "-aa",
            "-trace_err", "-error_file", str(self.error_log),
            "-trace_stat", "-stf", str(self.stats), "-fd", "1",
            "-trace_screen", "-screen_file", str(self.screen),
        ])  # fmt: skip
        self.process: subprocess.Popen[bytes] | None = None

    def log_files(self) -> list[tuple[str, Path]]:
        return [
            (f"SIPp {self.name} errors", self.error_log),
            (f"SIPp {self.name} screen", self.screen),
            (f"SIPp {self.name} output", self.output),
        ]

    def start(self) -> None:
        with self.output.open("ab") as out:
            self.process = subprocess.Popen(
                self.args,
                cwd=self.run_dir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait(self, timeout: float) -> SippResult:
        """Wait for SIPp to finish on its own and return its result."""
        assert self.process is not None, "SIPp not started"
        try:
            returncode = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise
        return self.result(returncode)

    def result(self, returncode: int) -> SippResult:
        successful, failed = self.counts()
        screen = self.screen.read_text(errors="replace") if self.screen.exists() else ""
        return SippResult(returncode, successful, failed, screen)

    def counts(self) -> tuple[int, int]:
        """(successful, failed) calls so far, from the statistics file (written every second)."""
        if not self.stats.exists():
            return 0, 0
        with self.stats.open(newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter=";"))
        if not rows:
            return 0, 0
        last = rows[-1]
        return int(last.get("SuccessfulCall(C)") or 0), int(last.get("FailedCall(C)") or 0)

    def stop(self, timeout: float = 5) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout)
        except ProcessLookupError:
            pass


def agent(
    run_dir: Path, name: str, *, ring_ms: int = 200, talk_ms: int = 1000, trace: bool = False
) -> Sipp:
    """An agent's phone on a free port: rings, answers, hangs up after `talk_ms` (or on BYE).

    A large `talk_ms` makes an agent that stays until the caller hangs up. With `trace`, every
    SIP message it receives is kept (`received_invites`).
    """
    scenario = _render(
        "agent.xml", {"RING_MS": ring_ms, "TALK_MS": talk_ms}, run_dir / f"{name}.xml"
    )
    messages = ["-trace_msg", "-message_file", str(run_dir / f"{name}.messages.log")]
    return Sipp(name, run_dir, ["-sf", str(scenario), *(messages if trace else [])])


def received_invites(phone: Sipp) -> list[str]:
    """Every INVITE `phone` received (started with `trace`), as text, oldest first."""
    path = phone.run_dir / f"{phone.name}.messages.log"
    if not path.exists():
        return []
    text = path.read_bytes().decode("utf-8", errors="replace")
    blocks = re.split(r"^[^\n]*message received \[\d+\] bytes :[^\n]*\n", text, flags=re.M)
    return [block.strip() for block in blocks[1:] if block.lstrip().startswith("INVITE ")]


def header(message: str, name: str) -> list[str]:
    """The values of header `name` (case-insensitive) in the head of a SIP message."""
    head = message.split("\n\n", 1)[0]
    prefix = name.lower() + ":"
    return [
        line.split(":", 1)[1].strip()
        for line in head.splitlines()
        if line.lower().startswith(prefix)
    ]


def refer_agent(
    run_dir: Path,
    name: str,
    target: str,
    *,
    ring_ms: int = 200,
    talk_ms: int = 1000,
    bye_wait_ms: int = 500,
) -> Sipp:
    """An agent's phone that answers, talks `talk_ms`, then blind-transfers the call by SIP REFER
    to `target` (the Refer-To user, an extension in the agents' context, e.g. "clerk-1")."""
    values = {
        "NAME": name,
        "TARGET": target,
        "RING_MS": ring_ms,
        "TALK_MS": talk_ms,
        "BYE_WAIT_MS": bye_wait_ms,
    }
    scenario = _render("refer_agent.xml", values, run_dir / f"{name}.xml")
    return Sipp(name, run_dir, ["-sf", str(scenario)])


def callers(
    run_dir: Path,
    name: str,
    target_port: int,
    calls: Sequence[Call],
    *,
    hold_ms: int,
    rate: float = 10,
    concurrent: int | None = None,
    timeout_s: float = 120,
    scenario_template: str = "caller.xml",
) -> Sipp:
    """One SIPp UAC placing `calls` (in order) at `rate` per second, at most `concurrent` at once.

    Each caller waits `hold_ms` after the answer for Asterisk to hang up, then hangs up itself.
    """
    inject = run_dir / f"{name}.calls.csv"
    with inject.open("w") as fh:
        fh.write("SEQUENTIAL\n")
        for call in calls:
            display = f'"{call.name}" ' if call.name else ""
            fh.write(f"{call.caller};{call.dialled};{_extra_header(call)};{display}\n")
    values: dict[str, object] = {"HOLD_MS": hold_ms}
    if scenario_template == "caller_keys.xml":
        keys = run_dir / f"{name}.keys.pcap"
        values["KEYS_PCAP"] = dtmf_pcap.write_presses(keys, 1, presses=40, every_s=1.0)
    scenario = _render(scenario_template, values, run_dir / f"{name}.xml")
    limit = concurrent or len(calls)
    args = [
        f"127.0.0.1:{target_port}",
        "-sf", str(scenario),
        "-inf", str(inject),
        "-m", str(len(calls)),
        "-l", str(limit),
        "-r", str(rate),
        "-timeout", f"{int(timeout_s)}s",
        "-timeout_error",
        "-max_recv_loops", "10000",
    ]  # fmt: skip
    return Sipp(name, run_dir, args)


def _extra_header(call: Call) -> str:
    if call.diversion and call.withheld:
        raise ValueError("the caller scenario carries one extra header: Diversion or Privacy")
    if call.diversion:
        return f"Diversion: <sip:{call.diversion}@127.0.0.1>"
    return "Privacy: id" if call.withheld else "X-PBXB-Test: plain"
