"""Run the database commands in-process the way an admin types them, against a temporary
configuration (the shipped tenants, a database of the test's choosing)."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pbx_bridge.cli import calls, db, history_import, purge, report, tickets, wrapup

# Until the lead wires them into `pbx_bridge.cli.main`, these tests build the parser from the
# modules themselves, exactly as main.py does.
MODULES = (db, calls, report, tickets, purge, wrapup, history_import)
TENANTS = Path(__file__).resolve().parents[3] / "config" / "tenants"
APRIL_2019_JSON = ("--from", "2019-04", "--to", "2019-04", "--format", "json")


def write_config(directory: Path, database_url: str, extra: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "bridge.yaml"
    path.write_text(
        f"""service_center:
  name: Service Center Wolfsburg
  timezone: Europe/Berlin
  country: DE
  queue: servicecenter
  unrouted_greeting: servicecenter
tenants_dir: {TENANTS}
sounds_dir: {directory / "sounds"}
state_dir: {directory / "var"}
database:
  url: "{database_url}"
{extra}""",
        encoding="utf-8",
    )
    return path


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        assert self.code == 0, self.err
        return json.loads(self.out)


def pbx_bridge(capsys: pytest.CaptureFixture[str], config: Path, *argv: str) -> Run:
    parser = argparse.ArgumentParser(prog="pbx-bridge")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in MODULES:
        module.register(subparsers)
    capsys.readouterr()
    args = parser.parse_args([*argv, "--config", str(config)])
    code: int = args.handler(args)
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)
