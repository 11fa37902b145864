"""`pbx-bridge sounds build` as an admin runs it."""

import argparse
import io
from pathlib import Path

import pytest

from pbx_bridge.cli import sounds
from pbx_bridge.sounds.render import Tools
from tests.unit.sounds.builders import directory, tenant

BRIDGE_YAML = """\
service_center:
  name: Service Center Wolfsburg
  timezone: Europe/Berlin
  country: DE
  queue: servicecenter
  unrouted_greeting: servicecenter
  greeting_text: "Service Center Wolfsburg, guten Tag."
tenants_dir: tenants
sounds_dir: sounds
"""
GIFHORN_YAML = """\
id: gifhorn
name: Landkreis Gifhorn
greeting: gifhorn
greeting_text: "Service Center Landkreis Gifhorn, guten Tag."
holidays: NI
numbers:
  - {number: "05371 82-0", department: Zentrale}
hours:
  mon-fri: "07:00-18:00"
closed:
  announcement: gifhorn-closed
"""


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    sounds.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["sounds", "build", *argv])


def build(tmp_path: Path, *force: str, dry_run: bool = False) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = sounds.build_and_report(directory(tenant()), tmp_path, force, dry_run, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_options() -> None:
    args = parse("--force", "gifhorn", "closed", "--force", "overflow", "--dry-run")
    assert args.force == ["gifhorn", "closed", "overflow"]
    assert args.dry_run
    assert args.config == Path("config/bridge.yaml")
    assert args.handler is sounds.run
    assert parse().force == []


def test_prints_one_line_per_prompt_and_a_summary(tmp_path: Path, tools: Tools) -> None:
    code, out, _ = build(tmp_path)
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[:2] for line in lines[:-1]] == [
        ["rendered", "gifhorn"],
        ["rendered", "servicecenter"],
        ["rendered", "closed"],
        ["rendered", "overflow"],
    ]
    assert lines[-1] == (
        f"4 rendered, 0 unchanged, 0 admin recording(s) kept, 0 failed in {tmp_path / 'de'}"
    )


def test_admin_recording_is_reported_with_how_to_replace_it(tmp_path: Path, tools: Tools) -> None:
    (tmp_path / "de").mkdir()
    (tmp_path / "de" / "gifhorn.wav").write_bytes(b"RIFF")
    code, out, _ = build(tmp_path)
    assert code == 0
    assert "kept         gifhorn        (admin recording; --force gifhorn replaces it)" in out
    assert "1 admin recording(s) kept" in out


def test_dry_run_says_would_render(tmp_path: Path) -> None:
    code, out, _ = build(tmp_path, dry_run=True)
    assert code == 0
    assert out.splitlines()[0].startswith("would render gifhorn")
    assert not (tmp_path / "de").exists()


def test_unknown_force_name_fails(tmp_path: Path) -> None:
    code, _, err = build(tmp_path, "gifhron")
    assert code == 1
    assert "gifhron" in err


def test_conflicting_prompt_texts_are_a_config_error(tmp_path: Path) -> None:
    conflicting = directory(tenant(announcement="closed"))
    err = io.StringIO()
    code = sounds.build_and_report(conflicting, tmp_path, out=io.StringIO(), err=err)
    assert code == 2
    assert "sound 'closed' has two different texts" in err.getvalue()


def test_run_loads_the_config_and_builds_into_its_sounds_dir(
    tmp_path: Path, tools: Tools, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "tenants").mkdir()
    (tmp_path / "bridge.yaml").write_text(BRIDGE_YAML, encoding="utf-8")
    (tmp_path / "tenants" / "gifhorn.yaml").write_text(GIFHORN_YAML, encoding="utf-8")
    assert sounds.run(parse("--config", str(tmp_path / "bridge.yaml"))) == 0
    assert "rendered     gifhorn-closed" in capsys.readouterr().out
    assert (tmp_path / "sounds" / "de" / "gifhorn-closed.wav").is_file()


def test_run_with_a_broken_config_prints_the_errors_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bridge.yaml").write_text("service_center: [\n", encoding="utf-8")
    assert sounds.run(parse("--config", str(tmp_path / "bridge.yaml"))) == 2
    assert f"{tmp_path / 'bridge.yaml'}:" in capsys.readouterr().err
