"""`make bench`: every benchmark in sequence, its output refreshed in docs/benchmarks.md.

    python -m benchmarks.run_all [--only routing_overhead,memory] [--no-docs]

Each benchmark runs as `python -m benchmarks.<name>` while this process holds
/tmp/pbxb-heavy.lock (flock(2), the lock `flock /tmp/pbxb-heavy.lock …` takes), so it never
shares the machine with another heavy run that takes the same lock (the soak and fault
suite); the time spent waiting for the lock is not counted. Its output is shown as it comes
and written between the markers `<!-- bench:<name>:begin -->` and `<!-- bench:<name>:end -->`
of docs/benchmarks.md, with the date; the machine block and the list of targets are refreshed
the same way. Prose outside the markers is left alone.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.rig import machine

PROJECT = Path(__file__).resolve().parents[1]
DOCS = PROJECT / "docs" / "benchmarks.md"
LOCK = "/tmp/pbxb-heavy.lock"
BENCHMARKS = ("report_bench", "tracker_bench", "routing_overhead", "agi_throughput", "memory")


@dataclass(frozen=True)
class Outcome:
    name: str
    returncode: int
    seconds: float
    output: str

    @property
    def targets(self) -> list[str]:
        found = [line for line in self.output.splitlines() if line.startswith("target:")]
        if self.name == "report_bench" and not found:
            # report_bench prints times only; its docstring names the target: under 1 s.
            times = [int(m) for m in re.findall(r": report (\d+) ms", self.output)]
            if times:
                verdict = "MET" if max(times) < 1000 else "MISSED"
                found.append(
                    f"target: a year's report under 1 s: {verdict} (slowest {max(times)} ms)"
                )
        return found


def run(name: str) -> Outcome:
    command = [sys.executable, "-m", f"benchmarks.{name}"]
    with open(LOCK, "a") as lock:
        if not _try_lock(lock.fileno()):
            print(f"waiting for {LOCK} (another heavy run) ...", flush=True)
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            return _run_locked(name, command)
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _run_locked(name: str, command: list[str]) -> Outcome:
    print(f"$ flock {LOCK} {' '.join(command)}", flush=True)
    started = time.perf_counter()
    lines: list[str] = []
    with subprocess.Popen(
        command,
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            print(line, end="", flush=True)
            lines.append(line.rstrip("\n"))
    return Outcome(name, process.returncode, time.perf_counter() - started, "\n".join(lines))


def replace_block(text: str, name: str, body: str) -> str:
    begin, end = f"<!-- bench:{name}:begin -->", f"<!-- bench:{name}:end -->"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"{DOCS} has no {begin} ... {end} block")
    return pattern.sub(lambda _m: f"{begin}\n{body.rstrip()}\n{end}", text)


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
    try:
        from tests.testbed.asterisk import provision  # noqa: PLC0415 - only when documenting

        return provision().version()
    except Exception as exc:  # the docs say so rather than fail the whole run
        return f"unknown ({type(exc).__name__})"


def _targets(text: str, outcomes: list[Outcome]) -> str:
    """The target lines of this run; those of benchmarks not rerun (--only) are kept."""
    rerun = {o.name for o in outcomes}
    match = re.search(r"<!-- bench:targets:begin -->(.*?)<!-- bench:targets:end -->", text, re.S)
    kept = []
    for line in (match.group(1) if match else "").splitlines():
        name = re.match(r"- `(\w+)`:", line)
        if name and name.group(1) not in rerun:
            kept.append(line)
    new = [f"- `{o.name}`: {t.removeprefix('target: ')}" for o in outcomes for t in o.targets]
    order = {name: i for i, name in enumerate(BENCHMARKS)}
    lines = sorted(kept + new, key=lambda line: order.get(line[3:].partition("`")[0], 99))
    return "\n".join(lines) or "- (no target lines printed)"


def update_docs(outcomes: list[Outcome], total_s: float) -> None:
    text = DOCS.read_text()
    today = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine_block = "\n".join(
        [
            f"- measured: {today}",
            f"- machine: {machine(load=False)}",
            f"- Asterisk: {asterisk_version()}",
            f"- code: commit {code_version()}",
            f"- run time {sum(o.seconds for o in outcomes) / 60:.1f} minutes ("
            + ", ".join(f"{o.name} {o.seconds:.0f} s" for o in outcomes)
            + f"; {total_s / 60:.1f} minutes with waits for other heavy runs)",
        ]
    )
    text = replace_block(text, "machine", machine_block)
    text = replace_block(text, "targets", _targets(text, outcomes))
    for outcome in outcomes:
        status = "" if outcome.returncode == 0 else f" - exited {outcome.returncode}"
        body = (
            f"`python -m benchmarks.{outcome.name}`, {today}, {outcome.seconds:.0f} s{status}:\n\n"
            f"```text\n{outcome.output.strip()}\n```"
        )
        text = replace_block(text, outcome.name, body)
    DOCS.write_text(text)
    print(f"refreshed {DOCS.relative_to(PROJECT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated subset of: " + ",".join(BENCHMARKS))
    parser.add_argument("--no-docs", action="store_true", help="print only")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(BENCHMARKS)
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    started = time.perf_counter()
    outcomes = [run(name) for name in names]
    total = time.perf_counter() - started
    if not args.no_docs:
        update_docs(outcomes, total)
    print(f"make bench: {total / 60:.1f} minutes")
    return max((o.returncode for o in outcomes), default=0)


if __name__ == "__main__":
    sys.exit(main())
