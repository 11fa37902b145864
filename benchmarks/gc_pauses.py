"""Garbage-collection pauses of the FastAGI listener under the hostile-peers flood.

    python -m benchmarks.gc_pauses [--seconds 40] [--without none|pacer ...]

The listener (the route handler on the shipped configuration, as in agi_instructions) runs
in a child process that times every collection CPython makes (`gc.callbacks`), with the
daemon's start-up freeze and its collection pacer. This process plays the hostile peers of
fault scenario 6 (tests/system/fault_hostile.py: 1,000 idle sockets, half-open, half-closed,
garbage, resets) and 20 decisions a second, once as the daemon runs and once without the
pacer (pbx_bridge/gc_pacing.py), to measure what it is worth.

Prints, per generation, the collections, their p99 and longest pause, and the share of the
run the listener spent collecting. A pause stalls every call in flight: the p99 of
scenario 6's AGI step (limit 20 ms) moves with the longest pauses, but on a shared VM by
more than the pauses alone, so the pauses are what this compares.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from benchmarks.agi_instructions import OPEN
from benchmarks.agi_load import environment
from pbx_bridge.agi.route_handler import RouteHandler
from pbx_bridge.agi.server import AgiServer
from pbx_bridge.config.loader import load_config
from pbx_bridge.gc_pacing import freeze_start_up_objects, pace_collections
from pbx_bridge.logging_setup import configure
from tests.system.fault_hostile import HostilePeers

PROJECT = Path(__file__).resolve().parents[1]
NUMBER = "0537182370"  # a number of the shipped configuration (fictional)
DECISIONS_PER_S = 20.0
WITHOUT = {"none": set(), "pacer": {"pacer"}}


# ---- the listener (child process) -----------------------------------------------------------


class PauseClock:
    """Every collection's generation and duration, from gc.callbacks."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((int(info["generation"]), time.perf_counter() - self._started))


async def _listen(without: set[str], out: TextIO) -> None:
    config = load_config(PROJECT / "config" / "bridge.yaml")
    server = AgiServer({"route": RouteHandler(lambda: config, clock=lambda: OPEN)})
    _host, port = await server.start("127.0.0.1", 0)
    freeze_start_up_objects()
    pacer = None if "pacer" in without else asyncio.create_task(pace_collections())
    loop = asyncio.get_running_loop()
    go, stop = asyncio.Event(), asyncio.Event()

    def commands() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe((go if line.strip() == "go" else stop).set)

    threading.Thread(target=commands, daemon=True).start()
    print(port, file=out, flush=True)
    await go.wait()
    clock = PauseClock()
    gc.callbacks.append(clock)
    started = time.perf_counter()
    await stop.wait()
    gc.callbacks.remove(clock)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "pauses": clock.pauses}), file=out, flush=True)
    if pacer is not None:
        pacer.cancel()
    await server.stop(1.0)


def child(without: set[str]) -> None:
    out = sys.stdout  # the parent reads the port and the result here; log lines go nowhere
    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
        configure(json=True)  # the daemon's renderer, writing to where stdout is now
        asyncio.run(_listen(without, out))


# ---- the load (this process) ----------------------------------------------------------------


def _decide_once(port: int) -> None:
    # A session still starting when the listener stops is refused: not part of the figures.
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 5) as sock:
        sock.sendall(environment(port, NUMBER))
        pending = b""
        while data := sock.recv(4096):
            pending += data
            while b"\n" in pending:
                _command, pending = pending.split(b"\n", 1)
                sock.sendall(b"200 result=0\n")


def _decisions(port: int, seconds: float) -> int:
    done = 0
    start = time.monotonic()
    while (due := start + done / DECISIONS_PER_S) < start + seconds:
        time.sleep(max(0.0, due - time.monotonic()))
        threading.Thread(target=_decide_once, args=(port,), daemon=True).start()
        done += 1
    return done


def measure(without: str, seconds: float) -> dict[str, Any]:
    listener = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.gc_pauses", "--child", without],
        cwd=PROJECT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert listener.stdin is not None and listener.stdout is not None
    port = int(listener.stdout.readline())
    peers = HostilePeers(port)
    peers.start()
    listener.stdin.write("go\n")
    listener.stdin.flush()
    decisions = _decisions(port, seconds)
    listener.stdin.write("stop\n")
    listener.stdin.flush()
    result: dict[str, Any] = json.loads(listener.stdout.readline())
    result["open_idle"] = peers.open_idle
    result["hostile"] = sum(n for kind, n in peers.stats.items() if kind.endswith("connections"))
    peers.stop()
    listener.stdin.close()
    listener.wait(30)
    result["decisions"] = decisions
    return result


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else 0.0


def report(without: str, result: dict[str, Any]) -> list[str]:
    pauses: list[tuple[int, float]] = [(int(g), float(s)) for g, s in result["pauses"]]
    seconds = float(result["seconds"])
    total = sum(s for _g, s in pauses)
    lines = [
        f"without {without}: {seconds:.0f} s, {result['decisions']} decisions, "
        f"{result['hostile']} hostile connections, {result['open_idle']} idle ones open at "
        f"the end; collecting "
        f"{100 * total / seconds:.2f} % of the time"
    ]
    for generation in (0, 1, 2):
        times = [s * 1000 for g, s in pauses if g == generation]
        if times:
            lines.append(
                f"  generation {generation}: {len(times) / seconds:6.1f}/s, "
                f"p99 {_p99(times):6.2f} ms, longest {max(times):6.2f} ms"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--without", nargs="+", choices=sorted(WITHOUT), default=["none", "pacer"])
    parser.add_argument("--child", choices=sorted(WITHOUT), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        child(WITHOUT[args.child])
        return 0
    for without in args.without:
        print("\n".join(report(without, measure(without, args.seconds))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
