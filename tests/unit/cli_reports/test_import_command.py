"""`pbx-bridge import calls`: the center's years before, from a CSV, all or nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pbx_bridge.cli.common import EXIT_CONFIG
from pbx_bridge.storage.models import calls
from tests.unit.cli_reports.console import APRIL_2019_JSON, pbx_bridge
from tests.unit.cli_reports.test_db_commands import open_log
from tests.unit.storage.builders import answered

HEADER = "started,tenant,department,outcome,wait_s,talk_s,caller,dialled,call_id\n"
GOOD = (
    HEADER
    + "2019-04-01T09:00:00+02:00,gifhorn,Kfz-Zulassung,resolved,12.5,180,"
    + "05371 82xxx,05371 82-370,old-1\n"
    + "2019-04-01T09:05:00+02:00,gifhorn,Zentrale,abandoned,45,,,05371 82-0,old-2\n"
    + "2019-04-01T20:00:00+02:00,meinersen,,closed,,,,,old-3\n"
    + "2019-04-02T07:30:00Z,,,unrouted,,,09991234567,09991234567,old-4\n"
)


def stored_calls(config: Path) -> int:
    log = open_log(config)
    with log.engine.connect() as connection:
        found: int = connection.execute(select(func.count()).select_from(calls)).scalar_one()
    log.close()
    return found


def write(tmp_path: Path, text: str, name: str = "history.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_importing_a_file_twice_yields_one_row_per_call(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    path = write(tmp_path, GOOD)
    first = pbx_bridge(capsys, config, "import", "calls", str(path))
    assert first.code == 0, first.err
    assert "imported 4 calls" in first.out
    assert pbx_bridge(capsys, config, "import", "calls", str(path)).code == 0
    assert stored_calls(config) == 4
    figures = pbx_bridge(capsys, config, "report", "--tenant", "gifhorn", *APRIL_2019_JSON).json()
    assert figures["total_calls"] == 2
    assert figures["service_level"]["answered_within"] == 1
    assert figures["asa_s"] == 12.5
    assert figures["departments"]["Kfz-Zulassung"]["calls"] == 1


def test_the_imported_call_keeps_what_the_row_says(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    assert pbx_bridge(capsys, config, "import", "calls", str(write(tmp_path, GOOD))).code == 0
    log = open_log(config)
    (first, *_rest) = log.list_calls(first=date(2019, 4, 1), last=date(2019, 4, 30))
    unrouted = log.list_calls(tenant=None, first=date(2019, 4, 2), last=date(2019, 4, 2))
    log.close()
    assert first.call_id == "old-1" and first.dialled == "+49537182370"
    assert first.wait_s == 12.5 and first.talk_s == 180.0 and first.answered is not None
    assert first.caller == "05371 82xxx"  # stored as given: already shortened
    assert unrouted[-1].caller == "09991234xxx"  # a full number is shortened as the policy says


def test_every_bad_row_is_named_and_nothing_is_written(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    bad = (
        GOOD
        + "2019-04-31T09:00:00+02:00,gifhorn,,resolved,1,1,,,bad-date\n"
        + "2019-04-03T09:00:00+02:00,atlantis,,resolved,1,1,,,bad-tenant\n"
        + "2019-04-03T09:00:00+02:00,gifhorn,,solved,1,1,,,bad-outcome\n"
        + "2019-04-03T09:00:00+02:00,gifhorn,,abandoned,-4,,,,bad-wait\n"
        + "2019-04-03T09:00:00,gifhorn,,resolved,1,1,,,no-offset\n"
    )
    run = pbx_bridge(capsys, config, "import", "calls", str(write(tmp_path, bad)))
    assert run.code == EXIT_CONFIG
    path = tmp_path / "history.csv"
    lines = run.err.splitlines()
    assert lines[0].startswith(f"{path}:6: started '2019-04-31T09:00:00+02:00' is not a date")
    assert lines[1] == f"{path}:7: unknown tenant 'atlantis'"
    assert lines[2].startswith(f"{path}:8: unknown outcome 'solved'")
    assert lines[3].startswith(f"{path}:9: wait_s -4 is not between 0 and")
    assert lines[4].startswith(f"{path}:10: started '2019-04-03T09:00:00' has no UTC offset")
    assert lines[5] == f"{path}: 5 bad rows, nothing imported"
    assert stored_calls(config) == 0


def test_a_wrong_header_is_refused_at_line_1(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    text = GOOD.replace("wait_s", "wait")
    run = pbx_bridge(capsys, config, "import", "calls", str(write(tmp_path, text)))
    assert run.code == EXIT_CONFIG
    assert run.err.splitlines()[0] == (
        f"{tmp_path / 'history.csv'}:1: header: missing wait_s; unknown 'wait' "
        "(columns: started,tenant,department,outcome,wait_s,talk_s,caller,dialled,call_id)"
    )
    assert stored_calls(config) == 0


def test_dry_run_checks_everything_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    run = pbx_bridge(capsys, config, "import", "calls", str(write(tmp_path, GOOD)), "--dry-run")
    assert run.code == 0 and "would import 4 calls" in run.out
    assert stored_calls(config) == 0


def test_a_german_excel_export_reads_with_semicolons_and_decimal_commas(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    text = (
        "\ufeff"
        + HEADER.replace(",", ";")
        + ("2019-04-01T09:00:00+02:00;gifhorn;Straßenverkehr;resolved;12,5;180;;;de-1\n")
    )
    run = pbx_bridge(capsys, config, "import", "calls", str(write(tmp_path, text)))
    assert run.code == 0, run.err
    log = open_log(config)
    (call,) = log.list_calls()
    log.close()
    assert call.wait_s == 12.5 and call.department == "Straßenverkehr"


def test_a_call_the_daemon_recorded_is_not_imported_again(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    log = open_log(config)
    log.write_record(answered("old-1", "2019-04-01T09:00"))
    log.close()
    run = pbx_bridge(capsys, config, "import", "calls", str(write(tmp_path, GOOD)))
    assert run.code == 0
    assert "imported 3 calls, 1 skipped (recorded by the daemon)" in run.out
    assert stored_calls(config) == 4


def test_a_file_that_is_not_utf8_or_missing_gets_one_line(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    latin = write(tmp_path, GOOD.replace("Kfz-Zulassung", "Straßen"), encoding="latin-1")
    run = pbx_bridge(capsys, config, "import", "calls", str(latin))
    assert run.code == EXIT_CONFIG and "not UTF-8 text" in run.err
    missing = pbx_bridge(capsys, config, "import", "calls", str(tmp_path / "nope.csv"))
    assert missing.code == EXIT_CONFIG and missing.err.strip().endswith("no such file")
    assert stored_calls(config) == 0


RECORDED_QUEUE_LOG = (
    Path(__file__).resolve().parents[2] / "fixtures" / "queue_log" / "testbed-mix.queue_log"
)


def test_a_queue_log_imports_with_its_queues_mapped_to_tenants(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    args = ("import", "queue-log", str(RECORDED_QUEUE_LOG), "--queue-map")
    unmapped = pbx_bridge(capsys, config, *args, "servicecenter=gifhorn")
    assert unmapped.code == EXIT_CONFIG
    assert f"{RECORDED_QUEUE_LOG}:8: queue 'testbed-transfer' is not in --queue-map" in unmapped.err
    assert stored_calls(config) == 0
    run = pbx_bridge(capsys, config, *args, "servicecenter=gifhorn,testbed-transfer=isenbuettel")
    assert run.code == 0, run.err
    assert "imported 5 calls" in run.out
    assert pbx_bridge(capsys, config, *args, "servicecenter=gifhorn", "--queue-map",
                      "testbed-transfer=isenbuettel").code == 0  # fmt: skip
    assert stored_calls(config) == 5
