"""`make demo`: the shipped Wolfsburg-style center on a real Asterisk 22 with sample calls.

Starts Asterisk with the shipped dialplans, the daemon with a copy of config/,
SIPp agents, and places calls to several tenants, a forwarded call, an unknown
number and a closed tenant. Prints what each caller experienced (from
Asterisk's AMI events) and exits 1 if any call did not go as expected.

The shipped tenants keep their real hours; to be independent of the clock the
copy gets a dated exception "Demo" that opens them all day today, and one
extra tenant that is never open shows the closed path.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from tests.testbed import ports, sounds, tracking
from tests.testbed.asterisk import provision
from tests.testbed.callcenter import CallCenter
from tests.testbed.calls import CallTrace
from tests.testbed.daemon import Daemon
from tests.testbed.demo_console import show_console
from tests.testbed.sipp import Call, Sipp, header, received_invites

PROJECT = Path(__file__).resolve().parents[2]
CLOSED_TENANT = {
    "id": "demo-geschlossen",
    "name": "Demo-Gemeinde (geschlossen)",
    "greeting": "demo-geschlossen",
    "greeting_text": "Service Center Demo-Gemeinde, guten Tag.",
    "holidays": "NI",
    "numbers": [{"number": "05361 0999-999", "department": "Zentrale"}],  # fictional
    "hours": {},
}


@dataclass(frozen=True)
class Sample:
    title: str
    call: Call
    tenant: str  # expected PBXB_TENANT ("" for unrouted)
    greeting: str  # expected sound heard first
    queued: bool


SAMPLES = (
    Sample("Gifhorn, central number", Call("05371820"), "gifhorn", "gifhorn", True),
    Sample(
        "Gifhorn, vehicle registration",
        Call("+49537182370", name="Jürgen Müller"),
        "gifhorn",
        "gifhorn",
        True,
    ),
    Sample(
        "Meinersen, forwarded (Diversion)",
        Call("0536109990", diversion="05372890", name="Schulz"),
        "meinersen",
        "meinersen",
        True,
    ),
    Sample("Wolfsburg, federal number 115", Call("115"), "wolfsburg", "wolfsburg", True),
    Sample("a number no tenant claims", Call("09991234567"), "", "servicecenter", True),
    Sample("a tenant that is closed", Call("053610999999"), "demo-geschlossen", "closed", False),
)


def write_demo_config(target: Path, sounds_dir: Path, agi_port: int) -> Path:
    """A copy of config/ that is open today, plus the closed demo tenant."""
    source = PROJECT / "config"
    bridge = yaml.safe_load((source / "bridge.yaml").read_text(encoding="utf-8"))
    zone = ZoneInfo(bridge["service_center"]["timezone"])
    bridge["agi"] = {"listen": f"127.0.0.1:{agi_port}"}
    bridge["metrics"] = {"listen": f"127.0.0.1:{ports.free_port()}"}
    bridge["sounds_dir"] = str(sounds_dir)
    bridge["service_center"]["queue_timeout"] = 20
    tenants = target / "tenants"
    tenants.mkdir(parents=True, exist_ok=True)
    today = datetime.now(zone).date()
    demo_days = {today, today + timedelta(days=1)}  # a demo that runs over midnight
    for file in sorted((source / "tenants").glob("*.yaml")):
        tenant = yaml.safe_load(file.read_text(encoding="utf-8"))
        kept = [e for e in tenant.get("exceptions", []) if e["date"] not in demo_days]
        extra = [{"date": d, "hours": "00:00-24:00", "reason": "Demo"} for d in sorted(demo_days)]
        tenant["exceptions"] = kept + extra
        (tenants / file.name).write_text(yaml.safe_dump(tenant, allow_unicode=True), "utf-8")
    (tenants / "demo-geschlossen.yaml").write_text(
        yaml.safe_dump(CLOSED_TENANT, allow_unicode=True), "utf-8"
    )
    path = target / "bridge.yaml"
    path.write_text(yaml.safe_dump(bridge, allow_unicode=True), "utf-8")
    return path


def verdict(sample: Sample, trace: CallTrace | None) -> tuple[bool, str]:
    if trace is None:
        return False, "no trace of this call in Asterisk's events"
    tenant = trace.var("PBXB_TENANT") or ""
    heard = trace.heard
    agent = trace.answered_by
    problems = []
    if tenant != sample.tenant:
        problems.append(f"tenant {tenant!r}, expected {sample.tenant!r}")
    if not heard or heard[0] != f"pbx-bridge/{sample.greeting}":
        problems.append(f"heard {heard}, expected pbx-bridge/{sample.greeting} first")
    if sample.queued and agent is None:
        problems.append("not answered by an agent")
    if not sample.queued and trace.queues_joined:
        problems.append("was queued although closed")
    name = trace.var("PBXB_TENANT_NAME") or "(no tenant: center greeting)"
    department = trace.var("PBXB_DEPARTMENT")
    what = f"{name}{f', {department}' if department else ''}; heard {', '.join(heard) or 'nothing'}"
    if agent:
        what += f"; queued in {', '.join(trace.queues_joined)}, answered by {agent}"
    elif not sample.queued:
        what += f"; closed ({trace.var('PBXB_REASON')}), then hung up"
    return not problems, what + ("" if not problems else " -- " + "; ".join(problems))


def agent_phone(phones: dict[str, Sipp], trace: CallTrace | None) -> str:
    """What the answering agent's phone displayed while it rang, and its screen-pop headers."""
    for phone in phones.values():
        for invite in received_invites(phone):
            if trace is not None and header(invite, "X-PBXB-Call") == [trace.linkedid]:
                shown = header(invite, "From")[0].split('"')[1] if '"' in invite else "?"
                tenant = header(invite, "X-PBXB-Tenant")
                department = header(invite, "X-PBXB-Department")
                return f'"{shown}" (X-PBXB-Tenant: {tenant[0]}, X-PBXB-Department: {department[0]})'
    return ""


def use_default_database(tracked: tracking.Tracking) -> tracking.Tracking:
    """Drop the explicit database URL: the demo runs on the default, SQLite in state_dir."""
    bridge = yaml.safe_load(tracked.config.read_text(encoding="utf-8"))
    bridge.pop("database", None)
    tracked.config.write_text(yaml.safe_dump(bridge, allow_unicode=True), "utf-8")
    return dataclasses.replace(tracked, database=tracked.state_dir / "pbx-bridge.sqlite3")


EXPECTED_OUTCOMES = {"queue": "resolved", "closed": "closed"}


def show_records(tracked: tracking.Tracking, config: Path, calls: int) -> int:
    """Print the call log the daemon wrote over AMI and the supervisors' report; count misses."""
    deadline = time.monotonic() + 20
    while len(records := tracked.records()) < calls and time.monotonic() < deadline:
        time.sleep(0.2)
    print(f"\ncall log ({tracked.database.name}, written by the daemon from AMI events):")
    for r in records:
        wait = f"{r['wait_s']:.1f} s" if r["wait_s"] is not None else "-"
        print(
            f"  {r['dialled']:<15} {r['tenant'] or '(none)':<17} {r['outcome']:<9} "
            f"wait {wait:<6} caller {r['caller'] or '-'}"
        )
    expected = {"resolved": 4, "unrouted": 1, "closed": 1}
    got: dict[str, int] = {}
    for r in records:
        got[str(r["outcome"])] = got.get(str(r["outcome"]), 0) + 1
    missing = 0 if got == expected else 1
    if missing:
        print(f"FAIL call log: outcomes {got}, expected {expected}")
    today = datetime.now(ZoneInfo("Europe/Berlin")).date().isoformat()
    print("\npbx-bridge report (today, all tenants):")
    report = subprocess.run(
        [sys.executable, "-m", "pbx_bridge", "report", "--config", str(config),
         "--from", today, "--to", today],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    print("  " + "\n  ".join(report.stdout.strip().splitlines()))
    return missing + (report.returncode != 0)


def main() -> int:
    started = time.monotonic()
    print("pbx-bridge demo: provisioning the Asterisk testbed (cached after the first run)")
    testbed = provision()
    run_dir = Path(tempfile.mkdtemp(prefix="pbxb-demo-"))
    names = [p.stem for p in (PROJECT / "sounds" / "de").glob("*.wav")]
    pbx = CallCenter.start(testbed, run_dir, names, agents=3, talk_ms=1500, trace_agents=True)
    daemon: Daemon | None = None
    try:
        sounds.prepare_sounds(pbx.sounds_dir, names, max_seconds=6.0)
        config = write_demo_config(pbx.config_dir, pbx.sounds_dir, pbx.daemon_port)
        tracked = use_default_database(tracking.enable(pbx, config, run_dir))
        daemon = Daemon(config, pbx.daemon_port, run_dir / "daemon.log")
        daemon.start()
        tracking.wait_for_log(daemon.log, "ami_resynced")
        print(f"Asterisk {testbed.version()} and the daemon are up; placing {len(SAMPLES)} calls\n")
        traces = pbx.run_calls([s.call for s in SAMPLES], hold_ms=12000, rate=5, timeout=90)
        by_caller = {t.caller: t for t in traces}
        failures = 0
        for sample in SAMPLES:
            ok, what = verdict(sample, by_caller.get(sample.call.caller))
            failures += not ok
            print(
                f"{'ok  ' if ok else 'FAIL'} {sample.title:<34} {sample.call.dialled:>13}  {what}"
            )
            shown = agent_phone(pbx.agents, by_caller.get(sample.call.caller))
            if shown:
                print(f"{'':5}{'':34} {'':>13}  agent's phone showed {shown}")
        failures += show_records(tracked, config, len(SAMPLES))
        failures += show_console(config, run_dir)
        seconds = time.monotonic() - started
        print(f"\n{len(SAMPLES) - failures} of {len(SAMPLES)} calls as expected in {seconds:.0f} s")
        if failures:
            print(f"logs kept in {run_dir}")
            (run_dir / "keep").touch()
        return 1 if failures else 0
    finally:
        if daemon is not None:
            daemon.stop()
        pbx.stop()
        if not (run_dir / "keep").exists():
            shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
