"""Decision throughput of the FastAGI listener alone, against a trivial FastAGI echo server.

    python -m benchmarks.agi_throughput [--sessions 6000] [--concurrency 500]

`pbx-bridge run` (no AMI, the benchmark tenants of benchmarks/rig.py) is pinned to CPU 1 with
taskset; the load generator (benchmarks/agi_load.py: plain sockets on one epoll, loopback only)
runs in this process, pinned to CPU 0. Each session is one call's FastAGI conversation: the
`agi_*` headers in, one `EXEC MSet` of the fifteen variables (PBXB_ACTION last) answered, the
server closes. The baseline in the same run is the echo server (also pinned to CPU 1): the same
conversation with no decision, log line or metrics, so the ratio shows the daemon's own cost.

Per server: closed loop (`--concurrency` sessions in flight at all times: the most it
serves), then open loop at 100 and at 2,000 sessions per second (at most `--concurrency` in
flight; latency counts from each session's scheduled start, waiting for a slot included).
Each load starts once the server is idle (under 5% of a core over 0.5 s): a server that still
finishes the previous load's sessions after the generator saw them end is reported as such.
"SYN dropped" counts connections the kernel dropped because the server's accept queue was
full (TcpExt ListenOverflows; the client retries after 1 s). "others" is the CPU that processes
outside this benchmark used meanwhile (if high, the figures are too slow).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from benchmarks import agi_load
from benchmarks.agi_load import Generator, LoadResult
from benchmarks.rig import TENANTS, OtherLoad, machine, ms, wait_idle, wait_quiet
from tests.testbed import center, ports
from tests.testbed.daemon import DAEMON

PROJECT = Path(__file__).resolve().parents[1]
SERVER_CPU, GENERATOR_CPU = 1, 0
TARGET_RATE = 2000
TARGET_P99_S = 0.005


def listen_overflows() -> int:
    """TcpExt ListenOverflows so far: connections dropped because an accept queue was full
    (the client retries its SYN after 1 s)."""
    lines = [ln.split() for ln in Path("/proc/net/netstat").read_text().splitlines()]
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names and names[0] == "TcpExt:" and "ListenOverflows" in names:
            return int(values[names.index("ListenOverflows")])
    return 0


Run = tuple[str, LoadResult, int, float]  # mode, result, SYNs dropped, other processes' CPU


def measure(name: str, port: int, pid: int, args: argparse.Namespace) -> list[Run]:
    generator = Generator(port)
    generator.closed_loop(300, 50)  # warm-up, not reported
    loads: list[tuple[str, float | None, int]] = [
        (f"closed loop, {args.concurrency} in flight", None, args.sessions)
    ]
    for offered in (100, TARGET_RATE):
        count = min(args.sessions, int(offered * args.open_seconds))
        loads.append((f"open loop, {offered}/s offered", offered, count))
    runs = []
    for mode, rate, sessions in loads:
        busy_after = wait_idle(pid)
        if busy_after > 0.05:
            print(f"  {name}: still busy {busy_after:.1f} s after the generator's last session")
        overflows = listen_overflows()
        other = OtherLoad()
        if rate is None:
            result = generator.closed_loop(sessions, args.concurrency)
        else:
            result = generator.open_loop(rate, sessions, args.concurrency)
        dropped = listen_overflows() - overflows
        busy = other.seconds() / result.wall_s
        print(f"  {name}: {mode}: {line(result, dropped, busy)}", flush=True)
        runs.append((mode, result, dropped, busy))
    return runs


def line(result: LoadResult, dropped: int, other: float) -> str:
    return (
        f"{result.decided:>6} decided {result.failed:>4} failed {result.rate:>7.0f}/s "
        f"p50 {ms(result.p50):>6} ms p99 {ms(result.p99):>6} ms {dropped:>5} SYN dropped, "
        f"generator {result.generator_load * 100:>3.0f}%, others {other * 100:>3.0f}% of a core"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=6000, help="sessions per run")
    parser.add_argument("--concurrency", type=int, default=500)
    parser.add_argument("--open-seconds", type=float, default=3, help="length of open loops")
    parser.add_argument("--run-dir", type=Path, default=PROJECT / "var" / "bench" / "agi")
    args = parser.parse_args(argv)
    shutil.rmtree(args.run_dir, ignore_errors=True)
    args.run_dir.mkdir(parents=True)
    began = time.perf_counter()
    print(f"machine: {machine()}")
    print(f"other processes: {wait_quiet() * 100:.0f}% of a core before the start")
    print(
        f"server pinned to CPU {SERVER_CPU}, generator to CPU {GENERATOR_CPU}; "
        f"{args.sessions} sessions per closed loop, {args.open_seconds:g} s per open loop"
    )
    daemon_port, echo_port = ports.free_port(), ports.free_port()
    config = center.write_center(
        args.run_dir / "config", TENANTS, agi_port=daemon_port, sounds_dir=args.run_dir / "s"
    )
    agi_load.pin_self(GENERATOR_CPU)
    results: dict[str, list[Run]] = {}
    servers = [
        ("echo", "echo server (baseline)", echo_port,
         [sys.executable, "-m", "benchmarks.agi_load", "echo", "--port", str(echo_port)]),
        ("daemon", "pbx-bridge daemon", daemon_port,
         [str(DAEMON), "run", "--config", str(config)]),
    ]  # fmt: skip
    for key, label, port, command in servers:
        server = agi_load.start_pinned(command, SERVER_CPU, port, args.run_dir / f"{key}.log")
        try:
            results[key] = measure(label, port, server.pid, args)
        finally:
            agi_load.stop(server)

    print()
    print("FastAGI sessions on one core (p50/p99 session latency, connect to close):")
    print(f"{'server':<24} {'load':<30} {'result'}")
    for name, label in (("echo", "echo server (baseline)"), ("daemon", "pbx-bridge daemon")):
        for mode, result, dropped, other in results[name]:
            print(f"{label:<24} {mode:<30} {line(result, dropped, other)}")
    print()
    for (mode, echo_result, _, _), (_, daemon_result, _, _) in zip(
        results["echo"], results["daemon"], strict=True
    ):
        print(
            f"daemon / echo, {mode}: throughput {daemon_result.rate / echo_result.rate:.2f}x, "
            f"p99 {daemon_result.p99 / echo_result.p99:.1f}x"
        )
    capacity = results["daemon"][0][1]
    at_target = results["daemon"][2][1]
    print(
        f"target: {TARGET_RATE:,} decisions/s on one core with {args.concurrency} concurrent "
        f"sessions: {'MET' if capacity.rate >= TARGET_RATE else 'MISSED'} "
        f"({capacity.rate:,.0f}/s)"
    )
    p99_ok = at_target.p99 < TARGET_P99_S and at_target.failed == 0
    print(
        f"target: p99 < 5 ms at {TARGET_RATE:,}/s offered: {'MET' if p99_ok else 'MISSED'} "
        f"(p99 {ms(at_target.p99)} ms, {at_target.rate:,.0f}/s served; at 100/s offered: "
        f"p99 {ms(results['daemon'][1][1].p99)} ms)"
    )
    print(f"run time: {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
