"""Instructions per FastAGI session, counted by callgrind: the same count on every run.

    python -m benchmarks.agi_instructions [--sessions 1000] [--at 2026-11-21T23:00:00+01:00]

The wall-clock benchmarks (agi_throughput) move with the VM's speed, which changed by a factor
of two within an hour on some machines; an instruction count does not. This runs the listener
with the route handler on the shipped configuration (config/bridge.yaml, at a fixed instant:
a Monday morning, open, unless `--at` names another; a Saturday night takes the closed
path, which also looks for the next opening) and plain-socket clients in one process under
`valgrind --tool=callgrind`, once with 500 sessions and once with 500 + `--sessions`, and
prints the difference per session:
start-up and warm-up cancel out. The clients' own instructions are included (the same for
any version of the listener), so a change in the listener shows as a smaller ratio than it
is. Log lines go to /dev/null as JSON, as in the daemon. Needs valgrind; about 2 minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import socket
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from benchmarks.agi_load import environment
from pbx_bridge.agi.route_handler import RouteHandler
from pbx_bridge.agi.server import AgiServer
from pbx_bridge.config.loader import load_config
from pbx_bridge.logging_setup import configure

PROJECT = Path(__file__).resolve().parents[1]
BASE_SESSIONS = 500
CONCURRENCY = 50
NUMBER = "0537182370"  # a number of the shipped configuration (fictional)
OPEN = datetime.fromisoformat("2026-11-23T10:00:00+01:00")  # a Monday morning
CLOSED = datetime.fromisoformat("2026-11-21T23:00:00+01:00")  # a Saturday night


async def _client(port: int, slots: asyncio.Semaphore) -> None:
    async with slots:
        loop = asyncio.get_running_loop()
        with socket.socket() as sock:
            sock.setblocking(False)
            await loop.sock_connect(sock, ("127.0.0.1", port))
            await loop.sock_sendall(sock, environment(port, NUMBER))
            pending = b""
            while data := await loop.sock_recv(sock, 4096):
                pending += data
                while b"\n" in pending:
                    _command, pending = pending.split(b"\n", 1)
                    await loop.sock_sendall(sock, b"200 result=0\n")


async def _sessions(count: int, at: datetime) -> None:
    config = load_config(PROJECT / "config" / "bridge.yaml")
    server = AgiServer({"route": RouteHandler(lambda: config, clock=lambda: at)})
    _host, port = await server.start("127.0.0.1", 0)
    slots = asyncio.Semaphore(CONCURRENCY)
    await asyncio.gather(*(_client(port, slots) for _ in range(count)))
    await server.stop(1.0)


def child(count: int, at: datetime) -> None:
    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
        configure(json=True)  # the daemon's renderer, writing to where stdout is now
        asyncio.run(_sessions(count, at))


def instructions(count: int, at: datetime) -> int:
    """Instructions callgrind counted for a child process running `count` sessions."""
    run = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-m",
            "benchmarks.agi_instructions",
            "--child",
            str(count),
            "--at",
            at.isoformat(),
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Collected : (\d+)", run.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count from callgrind:\n{run.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument(
        "--at",
        type=datetime.fromisoformat,
        default=OPEN,
        help=f"the instant the calls are decided at (default {OPEN.isoformat()}, open; "
        f"{CLOSED.isoformat()} takes the closed path)",
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        child(args.child, args.at)
        return 0
    print(f"calls decided at {args.at.isoformat()}")
    base = instructions(BASE_SESSIONS, args.at)
    more = instructions(BASE_SESSIONS + args.sessions, args.at)
    per_session = (more - base) / args.sessions
    print(f"{BASE_SESSIONS} sessions: {base:,} instructions")
    print(f"{BASE_SESSIONS + args.sessions} sessions: {more:,} instructions")
    print(f"per session (listener and client): {per_session / 1e6:.3f} M instructions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
