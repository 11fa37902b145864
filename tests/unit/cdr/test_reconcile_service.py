"""The daemon's reconciliation thread: runs after a login, survives a bad source."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from pbx_bridge.cdr.reconcile import Reconciled
from pbx_bridge.cdr.service import ReconcileService
from pbx_bridge.cdr.settings import CdrSettings
from pbx_bridge.core.privacy import PrivacyPolicy
from pbx_bridge.storage import CallLog
from tests.unit.cdr.fixture import BERLIN, MIX


def service(
    call_log: CallLog, path: Path, results: list[object]
) -> tuple[ReconcileService, threading.Event]:
    settings = CdrSettings(source="csv", zone=BERLIN, path=path, lookback_hours=24 * 365 * 50)
    done = threading.Event()

    def on_result(result: Reconciled) -> None:
        results.append(result)
        done.set()

    def on_error(kind: str) -> None:
        results.append(kind)
        done.set()

    made = ReconcileService(
        settings,
        call_log,
        "pbx1",
        PrivacyPolicy(),
        "DE",
        on_result=on_result,
        on_error=on_error,
        settle_s=0.05,
    )
    return made, done


def test_a_login_makes_the_thread_write_the_missing_calls(
    call_log: CallLog, tmp_path: Path
) -> None:
    shutil.copy(MIX, tmp_path / "cdr.csv")
    results: list[object] = []
    reconciler, done = service(call_log, tmp_path / "cdr.csv", results)
    reconciler.start()
    try:
        reconciler.request("ami_login")
        assert done.wait(10)
    finally:
        reconciler.stop()
    (result,) = results
    assert isinstance(result, Reconciled) and len(result.missing) == 17
    assert len(call_log.list_calls()) == 17


def test_a_missing_source_is_reported_and_the_thread_keeps_serving(
    call_log: CallLog, tmp_path: Path
) -> None:
    results: list[object] = []
    reconciler, done = service(call_log, tmp_path / "cdr.csv", results)
    reconciler.start()
    try:
        reconciler.request("ami_login")
        assert done.wait(10)
        assert results == ["source"]
        done.clear()
        shutil.copy(MIX, tmp_path / "cdr.csv")  # the admin fixes it
        reconciler.request("ami_login")
        assert done.wait(10)
    finally:
        reconciler.stop()
    assert isinstance(results[1], Reconciled) and len(results[1].missing) == 17
