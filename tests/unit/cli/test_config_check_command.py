"""`pbx-bridge config check`: one ok line per tenant, or every error as FILE:LINE: message."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pbx_bridge.config.loader import load_config
from pbx_bridge.sounds.layout import prompt_path
from pbx_bridge.sounds.prompts import plan_prompts
from tests.unit.cli.console import SHIPPED_CONFIG, pbx_bridge
from tests.unit.config.tree import GIFHORN, tenant, write_tree

WOLFSBURG_IDS = [
    "abfallwirtschaft",
    "gifhorn",
    "hankensbuettel",
    "isenbuettel",
    "meinersen",
    "uetze",
    "wolfsburg",
]
SOEST_IDS = ["geseke", "kreis-soest", "stadt-soest"]
ISSUE_LINE = re.compile(r"^(?P<file>[^:]+\.yaml):(?P<line>\d+): (?P<message>.+)$")


def with_sounds(bridge: Path) -> Path:
    """Put an (empty) file in place of every prompt, as `sounds build` would; returns `bridge`."""
    config = load_config(bridge)
    for name in plan_prompts(config.directory).names():
        path = prompt_path(config.sounds_dir, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    return bridge


def shipped_copy(tmp_path: Path, bridge: str) -> Path:
    """The shipped config/ copied to tmp_path/config, its sounds in tmp_path/sounds."""
    shutil.copytree(SHIPPED_CONFIG, tmp_path / "config")
    return with_sounds(tmp_path / "config" / bridge)


def ok_ids(out: str) -> list[str]:
    return [line.split()[1] for line in out.splitlines() if line.startswith("ok ")]


@pytest.mark.parametrize(
    ("bridge", "ids"),
    [("bridge.yaml", WOLFSBURG_IDS), ("examples/soest/bridge.yaml", SOEST_IDS)],
)
def test_shipped_config_passes_with_one_ok_line_per_tenant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bridge: str, ids: list[str]
) -> None:
    path = shipped_copy(tmp_path, bridge)
    run = pbx_bridge(capsys, "config", "check", "--config", str(path))
    assert (run.code, run.err) == (0, "")
    assert ok_ids(run.out) == ids
    summary = run.out.splitlines()[-1]
    assert summary.startswith(f"{path}: Service Center ")
    assert f", {len(ids)} tenants, " in summary
    assert summary.endswith(": OK")


def test_ok_line_summarises_numbers_holidays_hours_and_closed_action(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = shipped_copy(tmp_path, "examples/soest/bridge.yaml")
    run = pbx_bridge(capsys, "config", "check", "--config", str(path))
    [geseke] = [line for line in run.out.splitlines() if line.startswith("ok  geseke")]
    assert "Stadt Geseke: 1 number, holidays NW" in geseke
    assert "mon-wed 08:00-12:00, 13:00-16:00; thu 08:00-12:00, 13:00-18:00; fri 08:00-13:00" in (
        geseke
    )
    assert geseke.endswith("closed: forward to +4929425000")


def test_without_config_option_reads_config_bridge_yaml_of_the_working_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped_copy(tmp_path, "bridge.yaml")
    monkeypatch.chdir(tmp_path)
    run = pbx_bridge(capsys, "config", "check")
    assert run.code == 0
    assert ok_ids(run.out) == WOLFSBURG_IDS


def test_broken_tree_exits_2_with_every_error_as_file_line_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gifhorn = tenant(then='hours:\n  mon-fri: "07:00-25:00"\n')
    meinersen = tenant("meinersen", numbers=["Rathaus"], then="closed:\n  action: forward\n")
    path = write_tree(tmp_path, {"gifhorn": gifhorn, "meinersen": meinersen})
    run = pbx_bridge(capsys, "config", "check", "--config", str(path))
    assert (run.code, run.out) == (2, "")
    *issues, summary = run.err.splitlines()
    assert summary == f"{path}: 3 errors, not loaded"
    parsed = [ISSUE_LINE.match(line) for line in issues]
    assert all(parsed), issues
    tenants = tmp_path / "tenants"
    assert [(m["file"], int(m["line"])) for m in parsed if m] == [
        (str(tenants / "gifhorn.yaml"), 9),
        (str(tenants / "meinersen.yaml"), 7),
        (str(tenants / "meinersen.yaml"), 9),
    ]


def test_one_error_is_counted_in_the_singular(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_tree(tmp_path, {"gifhorn": GIFHORN.replace("holidays: NI", "holidays: Nds")})
    run = pbx_bridge(capsys, "config", "check", "--config", str(path))
    assert run.code == 2
    [issue, summary] = run.err.splitlines()
    assert issue.startswith(f"{tmp_path / 'tenants/gifhorn.yaml'}:5: unknown state code 'Nds'")
    assert summary == f"{path}: 1 error, not loaded"


def test_missing_bridge_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere" / "bridge.yaml"
    run = pbx_bridge(capsys, "config", "check", "--config", str(missing))
    assert run.code == 2
    assert run.err.startswith(f"{missing}:1: cannot read file: ")


def test_missing_greeting_sound_fails_the_check_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = with_sounds(write_tree(tmp_path, {"gifhorn": GIFHORN}))
    (tmp_path / "sounds" / "de" / "gifhorn.wav").unlink()
    run = pbx_bridge(capsys, "config", "check", "--config", str(path))
    assert run.code == 2
    assert ok_ids(run.out) == ["gifhorn"]
    assert run.err.startswith(f"{tmp_path / 'sounds/de/gifhorn.wav'}: missing sound 'gifhorn'")
