"""CPU time and memory of processes and of the whole machine, read from /proc, and waits for
the machine or one process to go quiet: the soak, the fault suite and the benchmarks measure
with them."""

from __future__ import annotations

import os
import time
from pathlib import Path


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds all CPUs spent busy so far (/proc/stat: everything but idle and iowait)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, user + system CPU seconds) of every process now."""
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:  # gone meanwhile
            continue
        found[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    return found


class OtherLoad:
    """CPU used by processes outside this process's tree (another benchmark, a test run):
    whatever they take is missing from the figures measured meanwhile."""

    def __init__(self) -> None:
        self._before = self._others()

    @staticmethod
    def _others() -> dict[int, float]:
        processes = _processes()
        ours = {os.getpid()}
        changed = True
        while changed:
            changed = False
            for pid, (parent, _) in processes.items():
                if parent in ours and pid not in ours:
                    ours.add(pid)
                    changed = True
        return {pid: cpu for pid, (_, cpu) in processes.items() if pid not in ours}

    def seconds(self) -> float:
        """CPU seconds other processes used since this object was made (or last `restart`)."""
        now = self._others()
        return sum(cpu - self._before.get(pid, 0.0) for pid, cpu in now.items())

    def restart(self) -> None:
        self._before = self._others()


def wait_quiet(limit: float = 0.2, timeout: float = 120) -> float:
    """Wait (up to `timeout` s) until processes outside this one's tree use under `limit` of a
    core over 2 s; return that share as last measured."""
    deadline = time.monotonic() + timeout
    while True:
        other = OtherLoad()
        time.sleep(2)
        share = other.seconds() / 2
        if share < limit or time.monotonic() > deadline:
            return share


def wait_idle(pid: int, share: float = 0.05, window: float = 0.5, timeout: float = 20) -> float:
    """Wait until process `pid` uses under `share` of a core over `window` s; the seconds
    waited. A load's sessions end for the generator when it reads the server's FIN, which may
    come before the server has finished them (read the last reply, logged, closed): the next
    load must not start on top of that backlog."""
    began = time.perf_counter()
    while time.perf_counter() - began < timeout:
        before = cpu_seconds(pid)
        time.sleep(window)
        if cpu_seconds(pid) - before < share * window:
            break
    return time.perf_counter() - began - window


def rss_kib(pid: int) -> int:
    """VmRSS of a process in KiB (/proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")
