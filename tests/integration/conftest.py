"""Fixtures for calls through a real Asterisk (tests/testbed).

One Asterisk (with SIPp agents, a switchboard and an AMI recorder) serves the whole session;
each test writes its own center configuration and starts its own daemon. A failing test
prints what Asterisk, AMI, SIPp and the daemon logged while it ran (tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import tail
from tests.testbed import center
from tests.testbed.asterisk import AsteriskError, Testbed
from tests.testbed.callcenter import CallCenter, Daemons

SOUND_NAMES = [name for tenant in center.EXAMPLE_TENANTS for name in tenant.sounds]


@pytest.fixture(scope="session")
def session_call_center(
    testbed: Testbed, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CallCenter]:
    run_dir = tmp_path_factory.mktemp("callcenter")
    try:
        started = CallCenter.start(testbed, run_dir, SOUND_NAMES)
    except AsteriskError as exc:
        pytest.fail(f"{exc}\n{tail(run_dir / 'log' / 'full', 0)}")
    yield started
    started.stop()


@pytest.fixture
def call_center(session_call_center: CallCenter) -> Iterator[CallCenter]:
    """The session's call center, with the dialplan globals restored after the test."""
    yield session_call_center
    session_call_center.reset_globals()


@pytest.fixture
def daemons(call_center: CallCenter, tmp_path: Path) -> Iterator[Daemons]:
    started = Daemons(call_center, tmp_path / "daemon.log")
    yield started
    started.stop_all()
