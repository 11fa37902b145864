"""A FastAGI load generator (plain sockets on one epoll, loopback only) and a trivial echo server.

The generator plays Asterisk: it connects, sends the `agi_*` header block of a call to the
benchmark tenant, answers every command as Asterisk 22 does when it worked (`EXEC`: `200
result=0`, MSet's return value; anything else: `200 result=1`) and counts the session as one
decision when the server closed it after setting PBXB_ACTION (the last variable the daemon
sets, alone or as the last pair of its `EXEC MSet`).

The echo server is the baseline: it reads the header block and sends the command the daemon
sends (one `EXEC MSet` with the fifteen variables), reading its reply, with no decision, no
log line and no metrics, so (daemon / echo) is what the daemon's own work costs.

    python -m benchmarks.agi_load echo --port 4599      # the baseline server, in the foreground
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import math
import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.bench_center import BENCH_NUMBER
from benchmarks.figures import percentile
from pbx_bridge.agi.mset import mset_command
from pbx_bridge.agi.server import LISTEN_BACKLOG

_uniqueids = itertools.count(1)


def environment(port: int, number: str = BENCH_NUMBER) -> bytes:
    """The header block Asterisk 22 sends for AGI(agi://127.0.0.1:PORT/route,) on a trunk call."""
    n = next(_uniqueids)
    pairs = {
        "agi_network": "yes",
        "agi_network_script": "route",
        "agi_request": f"agi://127.0.0.1:{port}/route",
        "agi_channel": f"PJSIP/trunk-{n:08x}",
        "agi_language": "de",
        "agi_type": "PJSIP",
        "agi_uniqueid": f"1700000000.{n}",
        "agi_version": "22.10.1",
        "agi_callerid": f"0999{n:07d}",
        "agi_calleridname": "unknown",
        "agi_callingpres": "0",
        "agi_callingani2": "0",
        "agi_callington": "0",
        "agi_callingtns": "0",
        "agi_dnid": number,
        "agi_rdnis": "unknown",
        "agi_context": "pbx-bridge-inbound",
        "agi_extension": number,
        "agi_priority": "11",
        "agi_enhanced": "0.0",
        "agi_accountcode": "",
        "agi_threadid": "140000000000000",
        "agi_arg_1": "",
    }
    return "".join(f"{k}: {v}\n" for k, v in pairs.items()).encode() + b"\n"


# ---- the generator -------------------------------------------------------------------------
# Plain non-blocking sockets on one epoll, no asyncio: per round trip one event, one recv and one
# send, so one core of generator drives more sessions than the servers under test can serve.

# epoll sleeps whole milliseconds, rounded up: asked for 0.3 ms, Python's epoll.poll() returns
# after about 1.1. At 2,000 sessions a second (0.5 ms apart) the open loop therefore started
# its sessions in pairs, up to 1.1 ms behind their schedule, and since latency counts from the
# schedule, that lateness was charged to the server under test (~1 ms of every p99). The
# generator now sleeps the whole milliseconds before the next start less one, and polls
# without sleeping for the rest: it spins on its own core, which serves nothing else.
_SLEEP_GRANULE_S = 0.001

_REPLY = b"200 result=1\n"
_EXEC_REPLY = b"200 result=0\n"  # what EXEC answers: the application's result, MSet's is 0
_DECIDED = (b"SET VARIABLE PBXB_ACTION ", b",PBXB_ACTION=")


@dataclass(frozen=True)
class LoadResult:
    sessions: int
    decided: int
    failed: int
    wall_s: float
    cpu_s: float  # the generator's own CPU time (process time) in the run
    latencies: list[float]  # seconds, per decided session
    spin_s: float = 0.0  # of cpu_s, polling without sleeping for the next scheduled start
    # Open loop: seconds each session started after its scheduled start, for those that did
    # not wait for a free slot (the generator's own lateness; part of their latency).
    lateness: list[float] = field(default_factory=list)
    held: int = 0  # open loop: sessions that waited for a free slot (the server fell behind)

    @property
    def rate(self) -> float:
        return self.decided / self.wall_s if self.wall_s else 0.0

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 99)

    @property
    def generator_load(self) -> float:
        """Share of one core the generator used for its sessions, its spinning for the next
        start left out (near 1.0: the generator was the limit)."""
        return max(0.0, self.cpu_s - self.spin_s) / self.wall_s if self.wall_s else 0.0

    @property
    def late_p99(self) -> float:
        """How far behind its schedule the generator started sessions, p99 (open loop)."""
        return percentile(self.lateness, 99) if self.lateness else 0.0


@dataclass
class _Conn:
    sock: socket.socket
    started: float  # perf_counter of the (scheduled) start
    connected: bool = False
    decided: bool = False
    tail: bytes = b""


class Generator:
    """FastAGI sessions against 127.0.0.1:`port`."""

    def __init__(self, port: int, timeout: float = 30) -> None:
        self.port = port
        self.timeout = timeout

    def closed_loop(self, sessions: int, concurrency: int) -> LoadResult:
        """`concurrency` sessions in flight at all times until `sessions` have run."""
        return self._run(sessions, concurrency, rate=None)

    def open_loop(self, rate: float, sessions: int, concurrency: int) -> LoadResult:
        """Sessions start on a fixed schedule (`rate` per second), at most `concurrency` at
        once. Latency counts from the scheduled start, so a session that waited for a free
        slot (the server fell behind) is charged for the wait."""
        return self._run(sessions, concurrency, rate=rate)

    def _run(self, sessions: int, concurrency: int, rate: float | None) -> LoadResult:
        run = _Run(self.port, sessions, rate)
        cpu0 = time.process_time()
        deadline = run.t0 + self.timeout + (sessions / rate if rate else self.timeout * sessions)
        spin = 0.0
        while run.started < sessions or run.conns:
            now = time.perf_counter()
            while run.started < sessions and len(run.conns) < concurrency and run.due() <= now:
                run.connect(now)
            if run.started < sessions and run.due() <= now:  # due, but no free slot
                run.capped_at = now
            if now > deadline:
                run.abandon()
                break
            wait = 0.05
            if run.started < sessions and len(run.conns) < concurrency:
                wait = max(0.0, min(wait, run.due() - now))
            whole_ms = math.floor(wait / _SLEEP_GRANULE_S) - 1
            polled = time.perf_counter()
            events = run.poller.poll(whole_ms * _SLEEP_GRANULE_S if whole_ms > 0 else 0)
            if not events and whole_ms <= 0:
                spin += time.perf_counter() - polled
            for fd, mask in events:
                run.ready(fd, mask)
        run.poller.close()
        wall, cpu = time.perf_counter() - run.t0, time.process_time() - cpu0
        return LoadResult(
            sessions, len(run.latencies), run.failed, wall, cpu, run.latencies,
            spin_s=min(spin, cpu), lateness=run.lateness, held=run.held,
        )  # fmt: skip


class _Run:
    """The sessions of one load run on one epoll."""

    def __init__(self, port: int, sessions: int, rate: float | None) -> None:
        self.port = port
        self.sessions = sessions
        self.rate = rate
        self.poller = select.epoll()
        self.conns: dict[int, _Conn] = {}
        self.latencies: list[float] = []
        self.failed = 0
        self.started = 0
        self.t0 = time.perf_counter()
        self.lateness: list[float] = []
        self.held = 0
        self.capped_at = -math.inf  # when a due session last found no free slot

    def due(self) -> float:
        """When the next session is due (closed loop: now)."""
        return self.t0 if self.rate is None else self.t0 + self.started / self.rate

    def connect(self, now: float) -> None:
        # Open loop: latency counts from the schedule, not from when a slot became free.
        begin = now if self.rate is None else self.due()
        if self.rate is not None:
            if self.capped_at >= begin:
                self.held += 1
            else:
                self.lateness.append(now - begin)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.connect_ex(("127.0.0.1", self.port))
        self.conns[sock.fileno()] = _Conn(sock, begin)
        self.poller.register(sock.fileno(), select.EPOLLOUT)
        self.started += 1

    def ready(self, fd: int, mask: int) -> None:
        conn = self.conns.get(fd)
        if conn is None:
            return
        if not conn.connected:
            if mask & (select.EPOLLERR | select.EPOLLHUP):
                self.finish(fd)
                return
            conn.connected = True
            conn.sock.send(environment(self.port))
            self.poller.modify(fd, select.EPOLLIN)
            return
        try:
            data = conn.sock.recv(65536)
        except OSError:
            data = b""
        if not data:  # the server closed the session: done
            self.finish(fd)
            return
        *lines, conn.tail = (conn.tail + data).split(b"\n")
        if not lines:
            return
        if any(mark in line for line in lines for mark in _DECIDED):
            conn.decided = True
        replies = b"".join(_EXEC_REPLY if line[:5] == b"EXEC " else _REPLY for line in lines)
        with contextlib.suppress(OSError):
            conn.sock.send(replies)

    def finish(self, fd: int) -> None:
        conn = self.conns.pop(fd)
        with contextlib.suppress(OSError):
            self.poller.unregister(fd)
        conn.sock.close()
        if conn.decided:
            self.latencies.append(time.perf_counter() - conn.started)
        else:
            self.failed += 1

    def abandon(self) -> None:
        for fd in list(self.conns):
            self.conns[fd].decided = False
            self.finish(fd)


# ---- servers under test --------------------------------------------------------------------

_ECHO_VARIABLES = (
    ("PBXB_TENANT", "bench"),
    ("PBXB_TENANT_NAME", "Benchmark-Gemeinde"),
    ("PBXB_DEPARTMENT", "Zentrale"),
    ("PBXB_REASON", "hours"),
    ("PBXB_GREETING", "bench"),
    ("PBXB_QUEUE", "servicecenter"),
    ("PBXB_PRIORITY", "0"),
    ("PBXB_QUEUE_TIMEOUT", "300"),
    ("PBXB_CLOSED_ANNOUNCEMENT", "bench-closed"),
    ("PBXB_CLOSED_ACTION", "hangup"),
    ("PBXB_FORWARD_TO", ""),
    ("PBXB_DECIDED_BY", "echo"),
    ("PBXB_CONFIG_GENERATION", "0"),
    ("CHANNEL(accountcode)", "bench"),
    ("PBXB_ACTION", "queue"),
)
# The daemon's one command for these fifteen variables.
_ECHO_COMMAND = f"{mset_command(_ECHO_VARIABLES)}\n".encode()


class _EchoSession(asyncio.Protocol):
    """The daemon's conversation with nothing decided, logged or counted: the headers up to
    their blank line, the one MSet, closed once its reply is in. A bare protocol behind the
    daemon's accept queue: the least asyncio needs for the conversation."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._buffer = b""
        self._sent = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        assert self._transport is not None
        self._buffer += data
        if not self._sent:
            if b"\n\n" not in self._buffer:
                return
            self._buffer = self._buffer.split(b"\n\n", 1)[1]
            self._transport.write(_ECHO_COMMAND)
            self._sent = True
        if b"\n" in self._buffer:
            self._transport.close()


async def serve_echo(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_EchoSession, "127.0.0.1", port, backlog=LISTEN_BACKLOG)
    async with server:
        await server.serve_forever()


def port_accepts(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        return True
    return False


def start_pinned(
    command: Sequence[str], core: int | None, port: int, log: Path, timeout: float = 20
) -> subprocess.Popen[bytes]:
    """Start `command` (pinned to `core` with taskset) and wait until `port` accepts."""
    prefix = ["taskset", "-c", str(core)] if core is not None else []
    with log.open("ab") as out:
        process = subprocess.Popen(
            [*prefix, *command],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while not port_accepts(port):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"{command[0]} did not listen on {port}; see {log}")
        time.sleep(0.05)
    return process


def stop(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


def pin_self(core: int) -> None:
    """Run this process (the generator) on `core` only."""
    os.sched_setaffinity(0, {core})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    echo = sub.add_parser("echo", help="run the trivial FastAGI echo server")
    echo.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_echo(args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
