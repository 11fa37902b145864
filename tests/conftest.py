"""Suite-wide rules and the Asterisk testbed fixture.

In CI (`CI=true`) a skipped test fails the run: a skip there means something the suite promises
was not checked (typically the real-Asterisk tests when the testbed could not be provisioned).

`make test` runs the suite on two pytest-xdist workers (`--dist loadfile`); each worker has its
own Asterisk on free ports. Tests under tests/integration/ and tests/system/ run calls through
a real Asterisk (marker `asterisk`, fixture `testbed`); a failing test prints what the logs of
its fixtures (anything with a `log_files()` method) gained while it ran.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path

import pytest

from tests.testbed.asterisk import Testbed, TestbedUnavailableError, provision

HERE = Path(__file__).resolve().parent
ASTERISK_SUITES = (HERE / "integration", HERE / "system")
LOG_TAIL_LINES = 300
# The suites by the length of their files, longest first (see pytest_collection_modifyitems).
_SUITE_ORDER = {"system": 0, "integration": 1, "browser": 2}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _fail_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    if in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in CI (CI=true), which counts as a failure: {reason}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        offsets = item.stash.get(_OFFSETS, {})
        for title, path in _log_sources(item):
            text = tail(path, offsets.get(path, 0))
            if text.strip():
                report.sections.append((f"{title}, last {LOG_TAIL_LINES} lines", text))
    _fail_skip(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield
    _fail_skip(report)
    return report


# ---- the Asterisk testbed -------------------------------------------------------------------


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(suite in Path(str(item.path)).parents for suite in ASTERISK_SUITES):
            item.add_marker(pytest.mark.asterisk)
    # Longest files first: `make test` hands whole files to two workers in this order, and the
    # many short unit files at the end fill the gaps, so neither worker idles at the end.
    items.sort(
        key=lambda item: _SUITE_ORDER.get(Path(str(item.path)).parent.name, len(_SUITE_ORDER))
    )


@pytest.fixture(scope="session")
def testbed() -> Testbed:
    """The provisioned Asterisk root; outside CI a machine that cannot provision skips."""
    try:
        return provision()
    except TestbedUnavailableError as exc:
        if in_ci():
            pytest.fail(f"Asterisk testbed could not be provisioned in CI: {exc}")
        pytest.skip(f"Asterisk testbed unavailable here: {exc}")


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


def tail(path: Path, offset: int, lines: int = LOG_TAIL_LINES) -> str:
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
