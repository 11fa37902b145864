"""Asterisk's CEL beside the CDR: a transfer no CDR row shows makes the call `transferred`;
bad CEL input is treated as bad CDR input."""

from __future__ import annotations

import csv
import io
import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Column, DateTime, MetaData, String, Table, Text, create_engine, insert

from pbx_bridge.cdr.cel_sources import CelCsvSource, CelDatabaseSource, CelSourceError
from pbx_bridge.cdr.csv_source import CsvSource
from pbx_bridge.cdr.reconcile import Reconciled, reconcile
from pbx_bridge.cdr.service import ReconcileService
from pbx_bridge.cdr.settings import CEL_COLUMNS, CUSTOM_COLUMNS, CdrSettings, CelSettings
from pbx_bridge.cli.main import main
from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.cdr_outcomes import CdrRow, records_of
from pbx_bridge.core.cel_transfers import CelEvent, with_transfers
from pbx_bridge.core.privacy import PrivacyPolicy
from pbx_bridge.storage import CallLog
from tests.unit.cdr.fixture import BERLIN, DAY, EVER, MIX, mix_rows
from tests.unit.cli_reports.console import write_config
from tests.unit.storage.databases import sqlite_url

POLICY = PrivacyPolicy()
NODE = "127.0.0.1"


def first_call() -> list[CdrRow]:
    """The mix's first call: answered by agent1, nobody after it (the CDR says resolved)."""
    rows = mix_rows()
    return [row for row in rows if row.linkedid == rows[0].linkedid]


def blind(
    call: list[CdrRow], extension: str = "info-1", *, linkedid: str | None = None
) -> CelEvent:
    """The BLINDTRANSFER Asterisk writes on the agent's channel of `call`."""
    caller, agent_row = call[0], call[0]
    extra = {
        "extension": extension,
        "context": "testbed-agents",
        "bridge_id": "5f0c6d0e",
        "transferee_channel_name": caller.channel,
        "transferee_channel_uniqueid": caller.uniqueid,
    }
    return CelEvent(
        eventtype="BLINDTRANSFER",
        eventtime=agent_row.start + timedelta(seconds=2),
        uniqueid=caller.uniqueid + "1",
        linkedid=caller.linkedid if linkedid is None else linkedid,
        channame=agent_row.dstchannel,
        exten="s",
        context="testbed-agents",
        peer=caller.channel,
        extra=json.dumps(extra),
    )


def cel_line(event: CelEvent) -> str:
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerow(
        [
            event.eventtype, f"{event.eventtime.timestamp():.6f}", event.uniqueid,
            event.linkedid, event.channame, event.exten, event.context, event.peer, event.extra,
        ]
    )  # fmt: skip
    return out.getvalue()


def chan_start(call: list[CdrRow]) -> str:
    caller = call[0]
    return (
        f'"CHAN_START","{caller.start.timestamp():.6f}","{caller.uniqueid}","{caller.linkedid}",'
        f'"{caller.channel}","05371820","pbx-bridge-inbound","",""\n'
    )


# --- the mapping ------------------------------------------------------------------------


def test_a_blind_transfer_makes_an_answered_call_transferred_to_its_extension() -> None:
    call = first_call()
    [record] = records_of(call, NODE, POLICY)
    assert record.outcome is Outcome.RESOLVED
    [changed] = with_transfers([record], [blind(call)])
    assert (changed.outcome, changed.detail) == (Outcome.TRANSFERRED, "info-1")
    assert replace(changed, outcome=record.outcome, detail=record.detail) == record


def test_the_transferee_names_the_call_when_the_linkedid_does_not() -> None:
    call = first_call()
    [record] = records_of(call, NODE, POLICY)
    [changed] = with_transfers([record], [blind(call, linkedid="1796000000.9")])
    assert changed.outcome is Outcome.TRANSFERRED


def test_an_attended_transfer_names_the_targets_interface_and_the_last_transfer_counts() -> None:
    call = first_call()
    [record] = records_of(call, NODE, POLICY)
    first = blind(call)
    extra = {"transfer_target_channel_name": "PJSIP/clerk-0000002a", "bridge1_id": "x"}
    attended = replace(
        first,
        eventtype="ATTENDEDTRANSFER",
        eventtime=first.eventtime + timedelta(seconds=5),
        extra=json.dumps(extra),
    )
    [changed] = with_transfers([record], [attended, first])
    assert (changed.outcome, changed.detail) == (Outcome.TRANSFERRED, "PJSIP/clerk")
    [unnamed] = with_transfers([record], [replace(attended, extra="not json")])
    assert unnamed.detail == "attended transfer"


def test_calls_nobody_answered_and_other_events_are_left_as_the_cdr_says() -> None:
    records = records_of(mix_rows(), NODE, POLICY)
    abandoned = next(r for r in records if r.outcome is Outcome.ABANDONED)
    event = blind(first_call(), linkedid=abandoned.call_id)
    hangup = replace(blind(first_call()), eventtype="HANGUP")
    assert with_transfers(records, [event, hangup]) == records


# --- the sources ------------------------------------------------------------------------


def test_the_csv_source_keeps_the_transfers_of_the_period(tmp_path: Path) -> None:
    call = first_call()
    path = tmp_path / "cel.csv"
    path.write_text(chan_start(call) + cel_line(blind(call)), encoding="utf-8")
    source = CelCsvSource(path, CEL_COLUMNS, BERLIN)
    [event] = source.transfers(*EVER)
    assert event == replace(blind(call), eventtime=event.eventtime)
    assert abs(event.eventtime - blind(call).eventtime) < timedelta(milliseconds=1)
    assert list(source.transfers(EVER[0], event.eventtime)) == []


def test_a_malformed_or_missing_csv_file_is_a_source_error_naming_file_and_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cel.csv"
    path.write_text(chan_start(first_call()) + '"BLINDTRANSFER","yesterday"\n', encoding="utf-8")
    with pytest.raises(CelSourceError, match=r"cel\.csv:2: 2 fields"):
        list(CelCsvSource(path, CEL_COLUMNS, BERLIN).transfers(*EVER))
    event = blind(first_call())
    path.write_text(cel_line(event).replace(f"{event.eventtime.timestamp():.6f}", "soon"))
    with pytest.raises(CelSourceError, match=r"cel\.csv:1: not a time"):
        list(CelCsvSource(path, CEL_COLUMNS, BERLIN).transfers(*EVER))
    with pytest.raises(CelSourceError, match=r"gone\.csv does not exist"):
        list(CelCsvSource(tmp_path / "gone.csv", CEL_COLUMNS, BERLIN).transfers(*EVER))
    with pytest.raises(CelSourceError, match="lack linkedid"):
        CelCsvSource(path, ("eventtype", "eventtime", "uniqueid", "extra"), BERLIN)


def test_the_database_source_reads_cel_pgsqls_table(url: str) -> None:
    call = first_call()
    engine = create_engine(url)
    table = Table(
        "cel",
        MetaData(),
        Column("eventtype", String(30)),
        Column("eventtime", DateTime(timezone=True)),
        *(Column(name, String(80)) for name in ("uniqueid", "linkedid", "channame", "exten")),
        *(Column(name, String(80)) for name in ("context", "peer", "cid_num")),
        Column("extra", Text),
    )
    table.create(engine)
    event = blind(call)
    values = {name: getattr(event, name) for name in (*CEL_COLUMNS[:-1], "extra")}
    # Local time: SQLite keeps no zone, and a time without one is the CEL's local time.
    values["eventtime"] = event.eventtime.astimezone(BERLIN)
    with engine.begin() as connection:
        connection.execute(insert(table), [values, {**values, "eventtype": "HANGUP"}])
    engine.dispose()
    [found] = CelDatabaseSource(url, "cel", BERLIN).transfers(*EVER)
    assert found == event
    with pytest.raises(CelSourceError, match="CEL table nowhere does not exist"):
        list(CelDatabaseSource(url, "nowhere", BERLIN).transfers(*EVER))


# --- reconciliation and audit -----------------------------------------------------------


def test_reconciliation_writes_the_transfer_cel_tells(call_log: CallLog, tmp_path: Path) -> None:
    call = first_call()
    cel = tmp_path / "cel.csv"
    cel.write_text(cel_line(blind(call)), encoding="utf-8")
    result = reconcile(
        CsvSource(MIX, CUSTOM_COLUMNS, BERLIN), call_log, NODE, privacy=POLICY, region="DE",
        since=EVER[0], until=EVER[1], cel=CelCsvSource(cel, CEL_COLUMNS, BERLIN),
    )  # fmt: skip
    assert len(result.missing) == 17
    record = call_log.get_record(NODE, call[0].linkedid)
    assert record is not None
    assert (record.outcome, record.detail) == (Outcome.TRANSFERRED, "info-1")


@pytest.fixture
def bad_cel(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "cel.csv"
    path.write_text('"BLINDTRANSFER","1796288854.5","half a line"\n', encoding="utf-8")
    yield path


def test_a_bad_cel_file_stops_the_run_like_a_bad_cdr_and_the_thread_keeps_serving(
    call_log: CallLog, tmp_path: Path, bad_cel: Path
) -> None:
    settings = CdrSettings(
        source="csv", zone=BERLIN, path=MIX, lookback_hours=24 * 365 * 50,
        cel=CelSettings(source="csv", zone=BERLIN, path=bad_cel),
    )  # fmt: skip
    results: list[object] = []
    done = threading.Event()

    def note(result: object) -> None:
        results.append(result)
        done.set()

    service = ReconcileService(
        settings, call_log, NODE, POLICY, "DE", on_result=note, on_error=note, settle_s=0.05
    )
    service.start()
    try:
        service.request("ami_login")
        assert done.wait(10)
        assert results == ["source"] and call_log.list_calls() == []
        done.clear()
        bad_cel.write_text(cel_line(blind(first_call())), encoding="utf-8")  # fixed
        service.request("ami_login")
        assert done.wait(10)
    finally:
        service.stop()
    assert isinstance(results[1], Reconciled) and len(results[1].missing) == 17


def center(tmp_path: Path, cel: Path) -> Path:
    cdr = tmp_path / "cdr.csv"
    shutil.copy(MIX, cdr)
    section = f"cdr:\n  source: csv\n  path: {cdr}\n  cel:\n    source: csv\n    path: {cel}\n"
    return write_config(
        tmp_path / "center", sqlite_url(tmp_path), f"ami:\n  host: {NODE}\n{section}"
    )


def audit(capsys: pytest.CaptureFixture[str], config: Path) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["audit", "--from", DAY, "--to", DAY, "--config", str(config)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_audit_compares_with_the_transfer_and_exits_2_on_a_bad_cel_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad_cel: Path
) -> None:
    config = center(tmp_path, bad_cel)
    code, out, err = audit(capsys, config)
    assert (code, out) == (2, "")
    assert f"CEL {bad_cel}" in err and "cel.csv:1: 3 fields" in err and "Traceback" not in err

    call = first_call()
    bad_cel.write_text(cel_line(blind(call)), encoding="utf-8")
    records = records_of(mix_rows(), NODE, POLICY)
    log = CallLog(sqlite_url(tmp_path))
    log.upgrade()
    log.write_records(records)  # as the CDR alone says: the transfer is missing
    log.close()
    code, out, _err = audit(capsys, config)
    assert code == 1 and "asterisk=transferred  log=resolved" in out
    log = CallLog(sqlite_url(tmp_path))
    log.write_records(with_transfers(records, [blind(call)]))
    log.close()
    assert audit(capsys, config)[0] == 0


def test_a_cel_section_without_its_location_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = center(tmp_path, tmp_path / "cel.csv")
    text = config.read_text().replace(f"    path: {tmp_path / 'cel.csv'}\n", "")
    config.write_text(text)
    code, _out, err = audit(capsys, config)
    assert code == 2 and "cdr.cel: source csv needs path" in err


def test_a_transfer_after_the_period_still_counts_for_a_call_that_started_in_it(
    call_log: CallLog, tmp_path: Path
) -> None:
    call = first_call()
    path = tmp_path / "cel.csv"
    path.write_text(cel_line(blind(call)), encoding="utf-8")  # 2 s after the call's start
    start = call[0].start
    reconcile(
        CsvSource(MIX, CUSTOM_COLUMNS, BERLIN), call_log, NODE, privacy=POLICY, region="DE",
        since=start, until=start + timedelta(seconds=1),
        cel=CelCsvSource(path, CEL_COLUMNS, BERLIN),
    )  # fmt: skip
    [record] = call_log.list_calls()
    assert record.outcome is Outcome.TRANSFERRED


def test_the_recorded_transfer_to_an_announcement_is_transferred_only_with_cel() -> None:
    """Asterisk 22's own files of a blind transfer by REFER to a line that only plays an
    announcement (tests/integration/test_cdr_reconciliation.py)."""
    fixtures = MIX.parent
    rows = CsvSource(fixtures / "announcement-transfer-cdr.csv", CUSTOM_COLUMNS, BERLIN)
    [cdr_only] = records_of(rows.rows(*EVER), NODE, POLICY)
    assert (cdr_only.outcome, cdr_only.tenant) == (Outcome.RESOLVED, "isenbuettel")
    cel = CelCsvSource(fixtures / "announcement-transfer-cel.csv", CEL_COLUMNS, BERLIN)
    [event] = cel.transfers(*EVER)
    assert event.linkedid == cdr_only.call_id and event.channame.startswith("PJSIP/refer-agent-")
    [record] = with_transfers([cdr_only], [event])
    assert (record.outcome, record.detail) == (Outcome.TRANSFERRED, "clerk-1")
