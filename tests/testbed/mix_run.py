"""The recorder's traffic mix (record_ami) through a daemon that tracks calls into SQLite: the
call center it runs on, and one run of chosen scenarios, for the tests that read what calls
leave behind.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from tests.testbed import record_ami as mix
from tests.testbed import tracking
from tests.testbed.asterisk import Testbed
from tests.testbed.callcenter import CallCenter

Scenario = Callable[[mix.Session], list[mix.Planned]]


def start_center(testbed: Testbed, run_dir: Path) -> CallCenter:
    """Asterisk and the phones the scenarios expect: the mix's agents, talk and REFER times."""
    names = [name for tenant in mix.TENANTS for name in tenant.sounds]
    return CallCenter.start(
        testbed,
        run_dir,
        names,
        agents=mix.AGENTS,
        talk_ms=mix.AGENT_TALK_MS,
        refer_after_ms=mix.REFER_AFTER_MS,
    )


class MixRun(NamedTuple):
    tracked: tracking.Tracking
    planned: list[mix.Planned]


def run_mix(center: CallCenter, scenarios: Sequence[Scenario], run_dir: Path) -> MixRun:
    """Configure the mix's tenants, run the scenarios through a tracking daemon (its log in
    run_dir/daemon.log) and stop it once every planned call has its record."""
    bridge = center.configure(mix.TENANTS, queue_timeout=mix.QUEUE_TIMEOUT)
    tracked = tracking.enable(center, bridge, run_dir)
    service = tracking.start_service(center, tracked, run_dir / "daemon.log")
    try:
        session = mix.Session(center, service.daemon)
        planned = [call for scenario in scenarios for call in scenario(session)]
        wait_for_records(tracked, len(planned), timeout=60)
    finally:
        service.stop()
    return MixRun(tracked, planned)


def wait_for_records(tracked: tracking.Tracking, count: int, timeout: float = 30) -> None:
    """Until `count` records are in the call log, then a second more: a duplicate would show."""
    deadline = time.monotonic() + timeout
    while len(tracked.records()) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(tracked.records())} of {count} records after {timeout} s")
        time.sleep(0.2)
    time.sleep(1.0)
