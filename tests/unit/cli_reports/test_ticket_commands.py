"""`wrapup` and `tickets` as agents and supervisors use them."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from pbx_bridge.core.calls import Outcome
from tests.unit.cli_reports.console import Run, pbx_bridge
from tests.unit.cli_reports.test_db_commands import open_log
from tests.unit.core.factories import BERLIN
from tests.unit.storage.builders import NODE, answered, unanswered


def callback_for_a_recent_call(
    capsys: pytest.CaptureFixture[str], config: Path, call_id: str, *options: str
) -> Run:
    """`wrapup CALL_ID --outcome callback OPTIONS` for an answered Gifhorn call `call_id` that
    ended minutes ago (wrap-ups are accepted for 30 minutes)."""
    started = datetime.now(BERLIN) - timedelta(minutes=10)
    log = open_log(config)
    log.write_record(answered(call_id, f"{started:%Y-%m-%dT%H:%M:%S}"))
    log.close()
    return pbx_bridge(capsys, config, "wrapup", call_id, "--outcome", "callback", *options)


def test_callback_wrapup_opens_a_ticket_that_done_closes(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    run = callback_for_a_recent_call(
        capsys,
        config,
        "1700000000.1",
        "--department",
        "Kfz-Zulassung",
        "--note",
        "Halterauskunft",
        "--caller",
        "05371 123456",
    )
    assert run.code == 0, run.err
    assert "callback applied, callback ticket 1" in run.out
    (ticket,) = pbx_bridge(capsys, config, "tickets", "list", "--format", "json").json()
    assert ticket["id"] == 1
    assert ticket["caller"] == "+495371123456"  # full number, normalised, until done
    assert (ticket["department"], ticket["note"], ticket["status"]) == (
        "Kfz-Zulassung",
        "Halterauskunft",
        "open",
    )
    assert ticket["overdue"] is False
    done = pbx_bridge(capsys, config, "tickets", "done", "1")
    assert done.code == 0 and "caller number removed" in done.out
    assert pbx_bridge(capsys, config, "tickets", "list", "--format", "json").json() == []
    (closed,) = pbx_bridge(capsys, config, "tickets", "list", "--all", "--format", "json").json()
    assert closed["caller"] is None and closed["status"] == "done"


def test_overdue_lists_only_tickets_past_due(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    log = open_log(config)
    old = answered("1554102000.1", "2019-04-01T09:00")
    log.write_record(old)
    log.close()
    callback_for_a_recent_call(capsys, config, "1700000000.2")
    # The 2019 call is far too old for a wrap-up now…
    late = pbx_bridge(capsys, config, "wrapup", "1554102000.1", "--outcome", "callback")
    assert late.code == 1 and "too late" in late.err
    # …but one given with its own time is accepted (a CRM catching up).
    at = (old.ended + timedelta(minutes=10)).isoformat()
    assert (
        pbx_bridge(
            capsys, config, "wrapup", "1554102000.1", "--outcome", "callback", "--at", at
        ).code
        == 0
    )
    overdue = pbx_bridge(capsys, config, "tickets", "list", "--overdue", "--format", "json").json()
    assert [t["call_id"] for t in overdue] == ["1554102000.1"]
    table = pbx_bridge(capsys, config, "tickets", "list", "--tenant", "gifhorn").out
    assert "yes" in table
    assert (
        pbx_bridge(
            capsys, config, "tickets", "list", "--tenant", "uetze", "--format", "json"
        ).json()
        == []
    )


def test_wrapup_refusals_and_pending(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    log = open_log(config)
    log.write_record(unanswered("1554102000.3", Outcome.ABANDONED))
    log.close()
    refused = pbx_bridge(
        capsys,
        config,
        "wrapup",
        "1554102000.3",
        "--outcome",
        "resolved",
        "--at",
        "2019-04-01T09:01",
    )
    assert refused.code == 1 and "not answered" in refused.err
    unknown = pbx_bridge(capsys, config, "wrapup", "1700000000.9", "--outcome", "resolved")
    assert unknown.code == 1 and "give --node" in unknown.err
    pending = pbx_bridge(
        capsys, config, "wrapup", "1700000000.9", "--outcome", "resolved", "--node", NODE
    )
    assert pending.code == 0 and "pending" in pending.out
    bad = pbx_bridge(
        capsys,
        config,
        "wrapup",
        "1700000000.9",
        "--outcome",
        "callback",
        "--node",
        NODE,
        "--caller",
        "anonymous",
    )
    assert bad.code == 2


def test_done_of_an_unknown_ticket(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    run = pbx_bridge(capsys, config, "tickets", "done", "42")
    assert run.code == 1 and "no ticket 42" in run.err
