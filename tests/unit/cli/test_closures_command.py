"""`pbx-bridge close`, `open` and `closures` typed by a supervisor; bad input changes nothing."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pbx_bridge.closures.pin import verify_pin
from pbx_bridge.config.loader import load_config
from tests.unit.cli.console import Run, pbx_bridge, route_json
from tests.unit.config.tree import BRIDGE, GIFHORN, single_finding, write_tree

MEINERSEN = GIFHORN.replace("gifhorn", "meinersen").replace("05371 82-0", "05372 89-0")
WITH_STATE = BRIDGE + "    state_dir: var\n"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_tree(tmp_path, {"gifhorn": GIFHORN, "meinersen": MEINERSEN}, WITH_STATE)


def cli(capsys: pytest.CaptureFixture[str], config: Path, *argv: str) -> Run:
    return pbx_bridge(capsys, *argv, "--config", str(config))


def state_files(config: Path) -> list[str]:
    state = config.parent / "var"
    return sorted(p.name for p in state.iterdir()) if state.exists() else []


def test_a_closed_tenant_is_routed_closed_with_the_reason_until_opened(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    run = cli(
        capsys,
        config,
        "close",
        "gifhorn",
        "--reason",
        "Sturm",
        "--for",
        "2h",
        "--announcement",
        "storm",
    )
    assert run.code == 0, run.err
    assert run.out.startswith("closed gifhorn: Sturm until ")
    assert "storm.wav is missing" in run.err  # the generic prompt plays instead
    decision = route_json(capsys, "--number", "05371 82-0", config=config)
    assert (decision["action"], decision["reason"]) == ("closed", "closure: Sturm")
    assert decision["closed_announcement"] == "storm"
    assert route_json(capsys, "--number", "05372 89-0", config=config)["reason"] != "closure: Sturm"

    run = cli(capsys, config, "open", "gifhorn")
    assert (run.code, run.out) == (0, "opened gifhorn (was closed: Sturm)\n")
    assert not str(
        route_json(capsys, "--number", "05371 82-0", config=config)["reason"]
    ).startswith("closure")


def test_closures_lists_what_is_closed_also_as_json(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    assert (
        cli(capsys, config, "closures").out
        == "no ad hoc closures: every tenant follows its hours\n"
    )
    cli(capsys, config, "close", "--all", "--reason", "Streik")
    run = cli(capsys, config, "closures")
    assert run.out.startswith("the whole center: Streik, since ")
    assert "until opened" in run.out
    [listed] = json.loads(cli(capsys, config, "closures", "--json").out)
    assert (listed["tenant"], listed["whole_center"], listed["reason"], listed["until"]) == (
        None,
        True,
        "Streik",
        None,
    )
    assert listed["by"]


def test_the_whole_center_closed_closes_unrouted_calls_too(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    cli(capsys, config, "close", "--all", "--reason", "Stromausfall")
    decision = route_json(capsys, "--number", "0999 1234567", config=config)
    assert (decision["action"], decision["tenant"], decision["reason"]) == (
        "closed",
        None,
        "closure: Stromausfall",
    )
    run = cli(capsys, config, "open", "--all")
    assert run.out == "opened the whole center (was closed: Stromausfall)\n"


def test_opening_a_tenant_while_the_center_is_closed_says_so(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    cli(capsys, config, "close", "--all", "--reason", "Streik")
    run = cli(capsys, config, "open", "gifhorn")
    assert run.code == 0
    assert "the whole center is still closed (Streik)" in run.err


def test_the_week_names_the_closure_beside_the_rule_of_the_day(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    cli(capsys, config, "close", "gifhorn", "--reason", "Sturm", "--for", "1h")
    run = cli(capsys, config, "hours", "gifhorn")
    today = datetime.now(ZoneInfo("Europe/Berlin")).date().isoformat()
    [line] = [line for line in run.out.splitlines() if today in line]
    assert "closed ad hoc" in line and "(tenant): Sturm" in line
    week = json.loads(cli(capsys, config, "hours", "gifhorn", "--json").out)
    [day] = [d for d in week["days"] if d["date"] == today]
    assert [c["reason"] for c in day["closures"]] == ["Sturm"]


@pytest.mark.parametrize(
    "argv,words",
    [
        (
            ["close", "gifhorn", "--reason", "Sturm", "--until", "2020-01-01T10:00"],
            "is in the past",
        ),
        (["close", "uetze", "--reason", "Sturm"], "unknown tenant 'uetze'"),
        (["close", "--reason", "Sturm"], "name the tenants"),
        (["close", "gifhorn", "--all", "--reason", "Sturm"], "not both"),
        (["close", "gifhorn", "--reason", "  "], "--reason needs"),
        (["close", "gifhorn", "--reason", "Sturm", "--announcement", "../x"], "not a sound name"),
        (["close", "gifhorn", "--reason", "Sturm", "--for", "soon"], "not a duration"),
        (["open", "uetze"], "unknown tenant"),
    ],
)
def test_bad_input_is_refused_with_exit_2_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], config: Path, argv: list[str], words: str
) -> None:
    run = cli(capsys, config, *argv)
    assert run.code == 2
    assert words in run.err
    assert len(run.err.splitlines()) == 1
    assert state_files(config) == []


def test_until_in_the_past_keeps_an_existing_closure(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    cli(capsys, config, "close", "gifhorn", "--reason", "Sturm")
    before = (config.parent / "var" / "closures.json").read_text()
    past = (datetime.now(ZoneInfo("Europe/Berlin")) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert cli(capsys, config, "close", "gifhorn", "--reason", "Hagel", "--until", past).code == 2
    assert (config.parent / "var" / "closures.json").read_text() == before


def test_hash_pin_prints_the_line_for_bridge_yaml_which_then_loads(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("4711\n"))
    run = pbx_bridge(capsys, "close", "--hash-pin")
    assert run.code == 0, run.err
    assert run.out.startswith('supervisor: {pin_hash: "scrypt$16384$8$1$')
    assert "4711" not in run.out
    config = write_tree(tmp_path, {"gifhorn": GIFHORN}, BRIDGE + "    " + run.out)
    loaded = load_config(config)
    assert loaded.supervisor is not None
    assert verify_pin("4711", loaded.supervisor.pin_hash)


@pytest.mark.parametrize("pin", ["47", "12345678901234", "47a1", ""])
def test_a_malformed_pin_is_refused_with_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, pin: str
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(pin + "\n"))
    run = pbx_bridge(capsys, "close", "--hash-pin")
    assert (run.code, run.out) == (2, "")
    assert "4 to 12 digits" in run.err


def test_a_pin_hash_that_is_not_one_is_a_config_error_at_its_line(tmp_path: Path) -> None:
    bridge = BRIDGE + '    supervisor:\n      pin_hash: "4711"\n'
    file, line, message = single_finding(tmp_path, {"gifhorn": GIFHORN}, bridge)
    assert (file, line) == ("bridge.yaml", 10)
    assert "not a PIN hash" in message
