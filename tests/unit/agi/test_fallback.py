"""The pyst2 failsafe, run as Asterisk runs it: a process speaking AGI on stdin/stdout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from pbx_bridge import channel_vars as cv
from pbx_bridge.closures.store import change_closures, close
from pbx_bridge.core.closures import WHOLE_CENTER, Closure
from tests.unit.agi.peer import environment

CONFIG = Path(__file__).resolve().parents[3] / "config" / "bridge.yaml"
SCRIPT = shutil.which("pbx-bridge-fallback-agi") or str(
    Path(sys.executable).with_name("pbx-bridge-fallback-agi")
)


def run_fallback(args: list[str], head: bytes) -> tuple[dict[str, str], list[str], int]:
    """Drive the script like Asterisk: answer every command with 200 result=1."""
    proc = subprocess.Popen(
        [SCRIPT, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(head)
    proc.stdin.flush()
    commands: list[str] = []
    while True:
        line = proc.stdout.readline()
        if not line:
            break
        commands.append(line.decode().rstrip("\n"))
        proc.stdin.write(b"200 result=1\n")
        proc.stdin.flush()
    code = proc.wait(timeout=20)
    variables = {}
    for command in commands:
        if command.startswith("SET VARIABLE "):
            name, _, value = command[len("SET VARIABLE ") :].partition(" ")
            variables[name.strip('"')] = value.strip('"')
    return variables, commands, code


def test_fallback_takes_the_same_decision_as_the_daemon() -> None:
    variables, _commands, code = run_fallback([str(CONFIG), "05372 89-0"], environment("115"))
    assert code == 0
    assert variables[cv.TENANT] == "meinersen"  # redirecting wins, as in the daemon
    assert variables[cv.DECIDED_BY] == "fallback"
    assert variables[cv.ACTION] in {"queue", "closed"}


def test_fallback_with_broken_config_sets_no_action_and_exits_zero() -> None:
    variables, commands, code = run_fallback(["/nonexistent/bridge.yaml", ""], environment())
    assert code == 0
    assert cv.ACTION not in variables
    assert any("configuration unusable" in c for c in commands if c.startswith("VERBOSE"))


def test_fallback_survives_invalid_utf8_in_the_environment() -> None:
    head = environment().replace(b"agi_calleridname: Test", b"agi_calleridname: J\xc3\xbcrg\xc3")
    variables, _commands, code = run_fallback([str(CONFIG), ""], head)
    assert code == 0
    assert variables[cv.TENANT] == "gifhorn"


def test_fallback_escapes_quotes_in_values(tmp_path: Path) -> None:
    tenants = tmp_path / "tenants"
    tenants.mkdir()
    (tmp_path / "bridge.yaml").write_text(
        "service_center: {name: X, timezone: Europe/Berlin, queue: q, unrouted_greeting: g}\n"
    )
    (tenants / "a.yaml").write_text(
        "id: a\nname: 'Stadt \"A\"'\ngreeting: a\ngreeting_text: x\nholidays: none\n"
        'numbers: [{number: "05371 82-370"}]\nhours: {mon-sun: "00:00-24:00"}\n'
    )
    _variables, commands, code = run_fallback([str(tmp_path / "bridge.yaml"), ""], environment())
    assert code == 0
    assert f'SET VARIABLE "{cv.TENANT_NAME}" "Stadt \\"A\\""' in commands


def test_fallback_honours_a_closure_in_the_state_directory(tmp_path: Path) -> None:
    tenants = tmp_path / "tenants"
    tenants.mkdir()
    (tmp_path / "bridge.yaml").write_text(
        "service_center: {name: X, timezone: Europe/Berlin, queue: q, unrouted_greeting: g}\n"
        "state_dir: var\n"
    )
    (tenants / "a.yaml").write_text(
        "id: a\nname: Stadt A\ngreeting: a\ngreeting_text: x\nholidays: none\n"
        'numbers: [{number: "05371 82-370"}]\nhours: {mon-sun: "00:00-24:00"}\n'
    )
    now = datetime.now(UTC)
    storm = Closure(WHOLE_CENTER, "Sturm", now, None, "storm", "admin")
    change_closures(tmp_path / "var", now, lambda c: close(c, ["a"], storm))
    variables, _commands, code = run_fallback(
        [str(tmp_path / "bridge.yaml"), ""], environment("0537182370")
    )
    assert code == 0
    assert (variables[cv.ACTION], variables[cv.REASON]) == ("closed", "closure: Sturm")
    assert variables[cv.CLOSED_ANNOUNCEMENT] == "storm"
