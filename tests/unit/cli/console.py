"""Run `pbx-bridge` in-process the way an admin types it, and the configs it is run against."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from pbx_bridge.cli.main import main

REPO = Path(__file__).resolve().parents[3]
SHIPPED_CONFIG = REPO / "config"
WOLFSBURG = SHIPPED_CONFIG / "bridge.yaml"
SOEST = SHIPPED_CONFIG / "examples" / "soest" / "bridge.yaml"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def pbx_bridge(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    capsys.readouterr()  # start from clean buffers
    code = main(list(argv))
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def route_json(
    capsys: pytest.CaptureFixture[str], *argv: str, config: Path = WOLFSBURG
) -> dict[str, object]:
    """The decision `route --json` prints; the command must succeed."""
    run = pbx_bridge(capsys, "route", "--json", "--config", str(config), *argv)
    assert run.code == 0, run.err
    decision: dict[str, object] = json.loads(run.out)
    return decision
