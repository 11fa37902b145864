"""What a measurement ran on: the machine, the commit (and its uncommitted changes), the
Asterisk version. The benchmarks and the soak print these above their figures."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
from pathlib import Path

from tests.testbed.asterisk import provision

PROJECT = Path(__file__).resolve().parents[2]


def machine(load: bool = True) -> str:
    """One line: CPUs, CPU model, Python, kernel, and (with `load`) the load average, which
    tells whether something else was running on the machine."""
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    text = (
        f"{os.cpu_count()} CPUs ({model or 'unknown model'}), Python {platform.python_version()}, "
        f"Linux {platform.release()}"
    )
    if load:
        text += "; load average now " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return text


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], check=False, cwd=PROJECT, capture_output=True, text=True)
    return done.stdout.rstrip()


def code_version() -> str:
    """The commit measured, and the files the working tree had changed on top of it."""
    try:
        head = _git("rev-parse", "--short", "HEAD")
        # --no-optional-locks: read only, not even the index's stat cache is refreshed.
        status = _git("--no-optional-locks", "status", "--porcelain", "--untracked-files=no")
    except OSError:
        return "unknown (no git)"
    changed = [line[3:] for line in status.splitlines() if line.strip()]
    if not changed:
        return head or "unknown"
    return f"{head or 'unknown'} with uncommitted changes to {', '.join(changed)}"


def asterisk_version() -> str:
    """The testbed Asterisk's version; "unknown (...)" when it cannot be provisioned here."""
    try:
        return provision().version()
    except Exception as exc:  # the report says so rather than fail the whole run
        return f"unknown ({type(exc).__name__})"
