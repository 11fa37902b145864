"""`pbx-bridge audit`: 0 when the log holds exactly Asterisk's calls, 1 with every difference
listed, 2 when the CDR source is missing, unreadable or malformed."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from pbx_bridge.cli.main import main
from pbx_bridge.core.calls import CallRecord, Outcome
from pbx_bridge.core.cdr_outcomes import records_of
from pbx_bridge.core.privacy import PrivacyPolicy
from pbx_bridge.storage import CallLog
from tests.unit.cdr.fixture import DAY, MIX, mix_rows
from tests.unit.cli_reports.console import write_config
from tests.unit.storage.databases import sqlite_url

NODE = "127.0.0.1"  # ami.host: the node the daemon writes as


def center(tmp_path: Path, cdr: str | None = None) -> Path:
    cdr_file = tmp_path / "cdr.csv"
    shutil.copy(MIX, cdr_file)
    section = cdr if cdr is not None else f"cdr:\n  source: csv\n  path: {cdr_file}\n"
    return write_config(
        tmp_path / "center", sqlite_url(tmp_path), f"ami:\n  host: {NODE}\n{section}"
    )


def audit(capsys: pytest.CaptureFixture[str], config: Path, *more: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["audit", "--from", DAY, "--to", DAY, "--config", str(config), *more])
    out = capsys.readouterr()
    return code, out.out, out.err


def fill_log(config: Path, records: list[CallRecord]) -> None:
    log = CallLog(sqlite_url(config.parent.parent))
    log.upgrade()
    log.write_records(records)
    log.close()


def test_an_empty_call_log_differs_by_every_call_of_the_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = audit(capsys, center(tmp_path))
    assert code == 1
    assert out.count("missing ") == 17
    assert f"{DAY}  gifhorn" in out and "asterisk      9  log      0  9 differ" in out


def test_a_log_with_exactly_asterisks_calls_is_equal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = center(tmp_path)
    fill_log(config, records_of(mix_rows(), NODE, PrivacyPolicy()))
    code, out, _err = audit(capsys, config)
    assert code == 0, out
    assert "differ" not in out and out.count("equal") == 6


def test_a_wrong_outcome_a_wrong_tenant_and_an_extra_call_are_each_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = center(tmp_path)
    records = records_of(mix_rows(), NODE, PrivacyPolicy())
    wrong = [
        replace(records[0], outcome=Outcome.ABANDONED),
        replace(records[1], tenant="meinersen"),
        *records[2:],
        replace(records[2], call_id="1796288999.99"),
    ]
    fill_log(config, wrong)
    code, out, _err = audit(capsys, config, "--format", "json")
    assert code == 1
    data = json.loads(out)
    found = {
        (d["kind"], d["call_id"], d["asterisk"], d["log"])
        for day in data["days"]
        for d in day["differences"]
    }
    assert found == {
        ("outcome", records[0].call_id, "resolved", "abandoned"),
        ("tenant", records[1].call_id, "gifhorn", "meinersen"),
        ("extra", "1796288999.99", None, "transferred"),
    }


def test_tenant_narrows_the_comparison(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = center(tmp_path)
    records = records_of(mix_rows(), NODE, PrivacyPolicy())
    fill_log(config, [r for r in records if r.tenant == "wardenburg"])
    assert audit(capsys, config, "--tenant", "wardenburg")[0] == 0
    assert audit(capsys, config, "--tenant", "gifhorn")[0] == 1


def test_a_missing_cdr_file_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = center(tmp_path, f"cdr:\n  source: csv\n  path: {tmp_path / 'gone.csv'}\n")
    code, out, err = audit(capsys, config)
    assert (code, out) == (2, "")
    assert "gone.csv does not exist" in err and "Traceback" not in err


def test_a_malformed_cdr_file_exits_2_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = center(tmp_path)
    with (tmp_path / "cdr.csv").open("a", encoding="utf-8") as fh:
        fh.write('"half","a","row"\n')
    code, _out, err = audit(capsys, config)
    assert code == 2 and "cdr.csv:21: 3 fields" in err


def test_an_unreachable_cdr_database_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+psycopg://127.0.0.1:1/asteriskcdrdb?connect_timeout=1"
    config = center(tmp_path, f'cdr:\n  source: database\n  url: "{url}"\n')
    code, _out, err = audit(capsys, config)
    assert code == 2 and "CDR database unreadable" in err


def test_without_a_cdr_section_audit_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = audit(capsys, center(tmp_path, ""))
    assert code == 2 and "no `cdr:` section" in err


def test_a_cdr_section_without_its_location_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = audit(capsys, center(tmp_path, "cdr:\n  source: database\n"))
    assert code == 2 and "source database needs url" in err and "bridge.yaml:" in err


def test_an_unknown_cdr_timezone_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    section = f"cdr:\n  source: csv\n  path: {MIX}\n  timezone: Europe/Gifhorn\n"
    code, _out, err = audit(capsys, center(tmp_path, section))
    assert code == 2 and "unknown timezone 'Europe/Gifhorn'" in err


def test_audit_compares_the_node_named_in_ami_node(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = center(tmp_path)
    config.write_text(config.read_text().replace(f"host: {NODE}", f"host: {NODE}\n  node: ast-a"))
    fill_log(config, records_of(mix_rows(), "ast-a", PrivacyPolicy()))
    code, out, _err = audit(capsys, config)
    assert code == 0 and out.startswith("node ast-a"), out
    assert audit(capsys, config, "--node", NODE)[0] == 1
