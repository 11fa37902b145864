"""Fixtures for calls through a real Asterisk (tests/testbed), and log printing on failure.

One Asterisk (with SIPp agents, a switchboard and an AMI recorder) serves the whole session;
each test writes its own center configuration and starts its own daemon. A failing test
prints what Asterisk, AMI, SIPp and the daemon logged while it ran.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from tests.conftest import in_ci
from tests.testbed import center
from tests.testbed.asterisk import AsteriskError, Testbed, TestbedUnavailableError, provision
from tests.testbed.callcenter import CallCenter, Daemons

HERE = Path(__file__).resolve().parent
SOUND_NAMES = [name for tenant in center.EXAMPLE_TENANTS for name in tenant.sounds]
LOG_TAIL_LINES = 300


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.asterisk)


@pytest.fixture(scope="session")
def testbed() -> Testbed:
    """The provisioned Asterisk root; outside CI a machine that cannot provision skips."""
    try:
        return provision()
    except TestbedUnavailableError as exc:
        if in_ci():
            pytest.fail(f"Asterisk testbed could not be provisioned in CI: {exc}")
        pytest.skip(f"Asterisk testbed unavailable here: {exc}")


@pytest.fixture(scope="session")
def session_call_center(
    testbed: Testbed, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CallCenter]:
    run_dir = tmp_path_factory.mktemp("callcenter")
    try:
        started = CallCenter.start(testbed, run_dir, SOUND_NAMES)
    except AsteriskError as exc:
        pytest.fail(f"{exc}\n{_tail(run_dir / 'log' / 'full', 0)}")
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


# ---- logs of a failing test ------------------------------------------------------------------

_OFFSETS = pytest.StashKey[dict[Path, int]]()


def _log_sources(item: pytest.Item) -> list[tuple[str, Path]]:
    sources: list[tuple[str, Path]] = []
    for value in getattr(item, "funcargs", {}).values():
        log_files = getattr(value, "log_files", None)
        if callable(log_files):
            sources += [s for s in log_files() if s not in sources]
    return sources


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _tail(path: Path, offset: int, lines: int = LOG_TAIL_LINES) -> str:
    if not path.exists():
        return ""
    with path.open("rb") as fh:
        fh.seek(offset)
        text = fh.read().decode("utf-8", errors="replace")
    kept = text.splitlines()[-lines:]
    return "\n".join(kept)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    item.stash[_OFFSETS] = {path: _size(path) for _, path in _log_sources(item)}
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        offsets = item.stash.get(_OFFSETS, {})
        for title, path in _log_sources(item):
            text = _tail(path, offsets.get(path, 0))
            if text.strip():
                report.sections.append((f"{title}, last {LOG_TAIL_LINES} lines", text))
    return report
