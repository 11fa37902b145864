"""Imported history in the call log of both databases: stored as the reports read it, keyed by
call_id, all or nothing; and a database migrated from revision 0001 keeps its purged months."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert

from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.kpis import KpiThresholds, service_level_percent
from pbx_bridge.core.privacy import PrivacyPolicy
from pbx_bridge.history.calls_csv import ImportSettings, RowError, read_calls
from pbx_bridge.storage import CallLog
from pbx_bridge.storage.models import monthly_aggregates
from pbx_bridge.storage.schema import upgrade
from tests.unit.core.factories import at
from tests.unit.storage.builders import answered

SETTINGS = ImportSettings(["gifhorn", "meinersen"], "DE", PrivacyPolicy())
HEADER = "started,tenant,department,outcome,wait_s,talk_s,caller,dialled,call_id"
NOW = at("2019-06-01T00:00")


def lines(*rows: str) -> list[str]:
    return [HEADER, *rows]


def import_all(log: CallLog, text: list[str]) -> tuple[Any, list[RowError]]:
    errors: list[RowError] = []
    counts = log.import_history(read_calls(text, SETTINGS), errors.append)
    return counts, errors


def test_imported_calls_count_in_the_report_like_recorded_ones(call_log: CallLog) -> None:
    history = lines(
        # 23:30 UTC on 30 April is a May call in Berlin: local months apply to imports too.
        "2019-04-30T23:30:00Z,gifhorn,Zentrale,resolved,12,60,,,h1",
        "2019-05-02T09:00:00+02:00,gifhorn,Zentrale,transferred,25,60,,,h2",
        "2019-05-02T09:10:00+02:00,gifhorn,Zentrale,abandoned,40,,,,h3",
        "2019-05-02T20:00:00+02:00,gifhorn,,closed,,,,,h4",
    )
    counts, errors = import_all(call_log, history)
    assert errors == [] and counts.written == 4
    again, _ = import_all(call_log, history)
    assert again.written == 4  # updated in place
    report = call_log.report(
        tenant="gifhorn", first=date(2019, 5, 1), last=date(2019, 5, 31), now=NOW
    )
    assert report.counts.calls == 4
    assert (report.counts.offered, report.counts.answered, report.counts.resolved) == (3, 2, 1)
    assert service_level_percent(report.counts) == 100 / 3  # 12 s within 20 s; 25 s not
    assert len(call_log.list_calls()) == 4


def test_one_bad_row_writes_nothing(call_log: CallLog) -> None:
    counts, errors = import_all(
        call_log,
        lines(
            "2019-05-02T09:00:00+02:00,gifhorn,Zentrale,resolved,12,60,,,h1",
            "2019-05-02T09:00:00+02:00,gifhorn,Zentrale,resolved,twelve,60,,,h2",
        ),
    )
    assert counts.errors == 1 and errors[0].line == 3
    assert call_log.list_calls() == []


def test_a_call_the_daemon_recorded_is_skipped(call_log: CallLog) -> None:
    call_log.write_record(answered("h1", "2019-05-02T09:00"))
    counts, _ = import_all(
        call_log, lines("2019-05-02T09:00:00+02:00,gifhorn,Zentrale,abandoned,12,,,,h1")
    )
    assert (counts.written, counts.recorded_by_daemon) == (0, 1)
    (only,) = call_log.list_calls()
    assert only.outcome is Outcome.RESOLVED


def test_months_purged_at_revision_0001_keep_their_one_threshold(url: str) -> None:
    log = CallLog(url, thresholds=KpiThresholds(service_levels_s=(20, 30)))
    upgrade(log.engine, "0001")
    folded = {
        "tenant": "gifhorn",
        "department": "Zentrale",
        "outcome": "resolved",
        "month": "2018-03",
        "threshold_s": 20,
        "short_abandon_s": 5,
        "calls": 10,
        "answered": 10,
        "answered_within": 7,
        "short_abandons": 0,
        "wait_answered_s": 100.0,
    }
    with log.engine.begin() as connection:
        connection.execute(insert(monthly_aggregates), [folded])
    log.upgrade()
    report = log.report(
        tenant="gifhorn", first=date(2018, 3, 1), last=date(2018, 3, 31), now=NOW + timedelta(1)
    )
    log.close()
    assert report.counts.within == ((20, 7), (30, None))
    assert any("service level 30 s is unknown for 2018-03" in note for note in report.notes)
