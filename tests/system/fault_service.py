"""Fault scenarios 4-6: the database away, a reload every second, hostile FastAGI peers."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from pbx_bridge.config.loader import load_config
from pbx_bridge.storage.spool import SPOOL_FILE
from tests.system import fault_steps as steps
from tests.system import soak_bed as bed_
from tests.system import soak_measure as measure
from tests.system import soak_records as records_
from tests.system.fault_db import (
    PostgresUnavailableError,
    SqliteLock,
    postgres_count,
    postgres_database,
    postgres_records,
    server_port,
    url_via,
)
from tests.system.fault_hostile import HostilePeers
from tests.system.fault_proxy import Proxy
from tests.system.soak_bed import Bed, Planned
from tests.testbed import center, tracking

# (6) Calls per second, the soak's rate: 600 calls in each phase of the full run, so the p99 is
# the sixth slowest call (at 10/s it was the third: three unlucky calls failed the run).
HOSTILE_RATE = 20.0

# ---- (4) the database unavailable -----------------------------------------------------------


def database_outage(bed: Bed, run_dir: Path, scale: steps.Scale) -> steps.FaultResult:
    """Two daemons track the same calls: one into SQLite (the routing one), one into
    PostgreSQL through a proxy; the SQLite file is locked and the proxy cut at once."""
    result = steps.FaultResult(4, f"database unavailable for {scale.db_outage_s:g} s")
    with contextlib.ExitStack() as stack:
        try:
            pg_name = stack.enter_context(postgres_database())
        except PostgresUnavailableError as exc:
            result.require(False, str(exc))
            return result
        proxy = Proxy(server_port())
        proxy.start()
        stack.callback(proxy.stop)
        services = {"sqlite": steps.start_daemon(bed, run_dir / "sqlite")}
        stack.callback(services["sqlite"].stop)
        services["postgresql"], _ = steps.start_tracker(
            bed, run_dir / "postgresql", {"database": {"url": url_via(pg_name, proxy.port)}}
        )
        stack.callback(services["postgresql"].stop)
        planned = bed_.plan(
            int(scale.rate * (scale.db_outage_s + scale.traffic_s)), first=steps.first_caller()
        )
        dialer = bed_.WrapupDialer(bed, planned)
        traffic = bed_.place(bed, planned, scale.rate, name="dboutage")
        stack.callback(traffic.stop)
        lock = SqliteLock(services["sqlite"].tracking.database)
        stack.callback(lock.release)
        time.sleep(scale.traffic_s / 2)
        lock.take()
        proxy.cut()
        spooled = _spooled_peak(services, scale.db_outage_s)
        lock.release()
        proxy.restore()
        drained = _spools_drained(services, timeout=60)
        result.figure("spool written to the database after", drained)
        result.require(len(drained) == len(services), f"spools not replayed: {drained}")
        sipp_result = steps.end_traffic(result, traffic, dialer)
        _wait_both(services["sqlite"], pg_name, len(planned), timeout=60)
        result.figure("spool file entries at the peak (records, wrap-ups)", spooled)
        result.require(all(v > 0 for v in spooled.values()), f"nothing spooled: {spooled}")
        seen = bed.watch.snapshot([p.caller for p in planned])
        steps.check_callers(result, planned, sipp_result, seen, decided_by={"daemon"})
        rows = {
            "sqlite": records_.records(services["sqlite"].tracking.database),
            "postgresql": postgres_records(pg_name),
        }
        for name, service in services.items():
            _check_database(result, name, planned, rows[name], service)
    return result


def _spooled_peak(services: dict[str, tracking.Service], seconds: float) -> dict[str, int]:
    """The most records each daemon held in its spool file on disk, looked at every 0.5 s for
    `seconds` (the pbxb_records_spooled gauge only moves at the worker's housekeeping)."""
    peak = dict.fromkeys(services, 0)
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        for name, service in services.items():
            spool = service.tracking.state_dir / "spool" / SPOOL_FILE
            with contextlib.suppress(FileNotFoundError):
                peak[name] = max(peak[name], spool.read_bytes().count(b"\n"))
        time.sleep(0.5)
    return peak


def _check_database(
    result: steps.FaultResult,
    name: str,
    planned: list[Planned],
    rows: list[dict[str, Any]],
    service: tracking.Service,
) -> None:
    """Exactly one record per call in this database, and nothing left in the spool."""
    sub = steps.FaultResult(4, name)
    steps.check_exactly_one(sub, planned, rows)
    result.merge(sub, name)
    left = service.tracking.scrape().value("pbxb_records_spooled")
    spool = service.tracking.state_dir / "spool" / SPOOL_FILE
    result.figure(f"{name}: left in the spool", f"{left:g} (file: {spool.exists()})")
    result.require(not left and not spool.exists(), f"{name}: spool not empty")
    warnings = Counter(str(e.get("event")) for e in measure.log_levels(service.log)[0])
    result.figure(f"{name}: daemon log errors (expected: the outage)", dict(warnings) or "none")


def _spools_drained(services: dict[str, tracking.Service], timeout: float) -> dict[str, str]:
    """How long after the database came back each daemon's spool file was gone."""
    up_at = time.monotonic()
    drained: dict[str, str] = {}
    while len(drained) < len(services) and time.monotonic() - up_at < timeout:
        for name, service in services.items():
            spool = service.tracking.state_dir / "spool" / SPOOL_FILE
            if name not in drained and not spool.exists():
                drained[name] = f"{time.monotonic() - up_at:.1f} s"
        time.sleep(0.25)
    return drained


def _wait_both(
    sqlite_service: tracking.Service, pg_name: str, expected: int, timeout: float
) -> dict[str, float]:
    """When (monotonic) each database held `expected` call records."""
    done: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    while len(done) < 2 and time.monotonic() < deadline:
        counts = {
            "sqlite": records_.count_rows(sqlite_service.tracking.database, "calls"),
            "postgresql": postgres_count(pg_name, "calls"),
        }
        for name, count in counts.items():
            if count >= expected and name not in done:
                done[name] = time.monotonic()
        time.sleep(0.5)
    time.sleep(2)  # a duplicate would show now
    return done


# ---- (5) a reload every second --------------------------------------------------------------


def reload_every_second(bed: Bed, run_dir: Path, scale: steps.Scale) -> steps.FaultResult:
    result = steps.FaultResult(5, "configuration reload every second during traffic")
    service = steps.start_daemon(bed, run_dir)
    tenant_file = bed.pbx.config_dir / "tenants" / "gifhorn.yaml"
    variant_b = dataclasses.replace(
        bed_.GIFHORN, numbers=[("05371 82-0", "Bürgerbüro"), ("05371 82-370", "Kfz-Zulassung")]
    )
    texts = [_tenant_text(variant_b), "id: gifhorn\nname: [unclosed\n", _tenant_text(bed_.GIFHORN)]
    generations = set()
    for text in (texts[0], texts[2]):
        _write_atomically(tenant_file, text)
        generations.add(load_config(service.tracking.config).generation)
    planned = bed_.plan(int(scale.rate * scale.traffic_s * 1.5), first=steps.first_caller())
    dialer = bed_.WrapupDialer(bed, planned)
    traffic = bed_.place(bed, planned, scale.rate, name="reload")
    sighups = 0
    try:
        for text in itertools.cycle([texts[0], texts[2], texts[1], texts[2]]):
            if not traffic.running():
                break
            _write_atomically(tenant_file, text)
            os.kill(service.pid, signal.SIGHUP)
            sighups += 1
            time.sleep(1.0)
        _write_atomically(tenant_file, texts[2])
        sipp_result = steps.end_traffic(result, traffic, dialer)
        steps.wait_for_records(service.tracking.database, len(planned))
    finally:
        traffic.stop()
        service.stop()
    ok = len(tracking.events(service.log, "config_reloaded"))
    rejected = len(tracking.events(service.log, "config_reload_rejected"))
    result.figure("reloads (SIGHUP)", f"{sighups}: {ok} applied, {rejected} rejected (broken file)")
    result.require(ok + rejected == sighups, f"{sighups} SIGHUPs, {ok + rejected} reloads logged")
    result.require(ok > 0 and rejected > 0, "not both kinds of reload (applied, rejected) happened")
    seen = bed.watch.snapshot([p.caller for p in planned])
    steps.check_callers(result, planned, sipp_result, seen, decided_by={"daemon"})
    used = Counter(s.variables.get("PBXB_CONFIG_GENERATION") for s in seen.values() if s)
    result.figure("calls per configuration generation", dict(used))
    result.require(set(used) <= generations, f"generations {set(used)} not in {generations}")
    result.require(len(used) == len(generations), "calls were not decided by both configurations")
    steps.check_exactly_one(result, planned, records_.records(service.tracking.database))
    errors = [e for e in steps.errors_in(service.log) if e not in ("config_reload_error",
                                                             "config_reload_rejected")]  # fmt: skip
    result.figure("daemon log errors besides the rejected file", errors or "none")
    result.require(not errors, f"daemon errors: {errors[:5]}")
    return result


def _tenant_text(tenant: center.Tenant) -> str:
    return yaml.safe_dump(tenant.as_yaml(), allow_unicode=True, sort_keys=False)


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text)
    os.replace(partial, path)


# ---- (6) hostile FastAGI peers ---------------------------------------------------------------


def hostile_peers(bed: Bed, run_dir: Path, scale: steps.Scale) -> steps.FaultResult:
    result = steps.FaultResult(
        6, f"hostile FastAGI peers ({scale.idle_sockets} idle sockets and more)"
    )
    service = steps.start_daemon(bed, run_dir)
    phases: dict[str, tuple[list[Planned], Any, tuple[float, int]]] = {}
    peers = HostilePeers(bed.pbx.daemon_port, idle=scale.idle_sockets)
    try:
        for phase in ("without", "with"):
            if phase == "with":
                peers.start()
                result.figure("idle sockets open", peers.open_idle)
            before = service.tracking.scrape()
            asterisk = bed.pbx.asterisk.process
            meter = measure.CpuMeter(asterisk.pid if asterisk else None, service.pid)
            calls = int(HOSTILE_RATE * scale.hostile_phase_s)
            planned = bed_.plan(calls, first=steps.first_caller())
            dialer = bed_.WrapupDialer(bed, planned)
            traffic = bed_.place(bed, planned, HOSTILE_RATE, name=f"hostile-{phase}")
            try:
                sipp_result = steps.end_traffic(result, traffic, dialer)
            finally:
                traffic.stop()
            after = service.tracking.scrape()
            result.figure(f"CPU {phase} hostile peers", meter.summary())
            histogram = measure.histogram_quantile(
                after, "pbxb_routing_decision_seconds", 0.99, since=before
            )
            phases[phase] = (planned, sipp_result, histogram)
            if phase == "with":
                result.figure("idle sockets open at the end", peers.open_idle)
                result.require(
                    peers.open_idle >= 0.9 * scale.idle_sockets, "the idle sockets were not kept up"
                )
                peers.stop()
        expected = sum(len(p) for p, _, _ in phases.values())
        steps.wait_for_records(service.tracking.database, expected)
        scrape = service.tracking.scrape()
    finally:
        peers.stop()
        service.stop()
    result.figure("hostile connections", dict(peers.stats))
    result.figure("daemon: FastAGI refused by reason", _refused(scrape))
    rows = records_.records(service.tracking.database)
    for phase, (planned, sipp_result, (decision_p99, decisions)) in phases.items():
        seen = bed.watch.snapshot([p.caller for p in planned])
        agi_ms = measure.daemon_steps_ms(seen.values())
        step_p99 = measure.percentile(agi_ms, 0.99)
        result.figure(f"{phase} hostile peers: AGI step", measure.fmt_ms(agi_ms))
        result.figure("  slowest three", measure.slowest_steps(seen.values(), 3))
        result.figure(
            f"{phase} hostile peers: routing decision p99",
            f"<= {decision_p99 * 1000:g} ms (daemon histogram, {decisions} decisions)",
        )
        if phase == "with":
            steps.check_callers(result, planned, sipp_result, seen, decided_by={"daemon"})
            _judge_latency(result, scale, step_p99, decision_p99)
            steps.check_exactly_one(result, planned, steps.rows_for(rows, planned))
    return result


def _judge_latency(
    result: steps.FaultResult, scale: steps.Scale, step_p99: float, decision_p99: float
) -> None:
    if not scale.judge_latency:
        result.figure("p99 limit (20 ms)", "not judged at this size (the full run judges it)")
        return
    result.require(step_p99 < steps.P99_LIMIT_MS, f"AGI step p99 {step_p99:.1f} ms")
    result.require(
        decision_p99 * 1000 <= steps.P99_LIMIT_MS, f"decision p99 <= {decision_p99 * 1000:g} ms"
    )


def _refused(scrape: tracking.Scrape) -> dict[str, int]:
    return {
        dict(labels)["reason"]: int(v)
        for (name, labels), v in scrape.samples.items()
        if name == "pbxb_agi_refused_total"
    }
