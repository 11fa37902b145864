"""A supervisor closes the center now (`pbx-bridge close`) and opens it again: what callers
hear through the real Asterisk, with the daemon running and with the daemon killed (the
failsafe reads the same closures). Every assertion reads Asterisk's own AMI events."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pbx_bridge.closures.pin import hash_pin
from tests.testbed import center, sounds
from tests.testbed.callcenter import CallCenter, Daemons
from tests.testbed.daemon import DAEMON
from tests.testbed.sipp import Call

STORM = "storm"
# The daemon checks the closures file every second: the next call after this is closed.
EFFECTIVE_WITHIN_S = 5.0


@pytest.fixture
def state_dir(call_center: CallCenter) -> Iterator[Path]:
    """The state_dir of the written configuration (its default, next to the config folder),
    with no closures left behind for the next test."""
    path = (call_center.config_dir / ".." / "var").resolve()
    sounds.make_tone(call_center.sounds_dir / sounds.LANGUAGE / f"{STORM}.wav", seconds=0.6)
    yield path
    (path / "closures.json").unlink(missing_ok=True)


def pbx_bridge(call_center: CallCenter, *argv: str) -> subprocess.CompletedProcess[str]:
    config = call_center.config_dir / "bridge.yaml"
    return subprocess.run(
        [str(DAEMON), *argv, "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_closing_gifhorn_on_the_running_daemon_closes_the_next_call_and_open_restores_it(
    call_center: CallCenter, daemons: Daemons, state_dir: Path
) -> None:
    daemons.start()
    [before] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert before.var("PBXB_ACTION") == "queue", before.describe()

    closed = pbx_bridge(
        call_center, "close", "gifhorn", "--reason", "Sturm", "--for", "2h",
        "--announcement", STORM,
    )  # fmt: skip
    assert closed.returncode == 0, closed.stderr
    time.sleep(EFFECTIVE_WITHIN_S)
    during = call_center.run_calls(
        [Call(center.GIFHORN_CENTRAL), Call(center.GIFHORN_KFZ), Call(center.MEINERSEN_CENTRAL)]
    )
    for trace in during[:2]:
        assert trace.var("PBXB_DECIDED_BY") == "daemon", trace.describe()
        assert trace.var("PBXB_ACTION") == "closed", trace.describe()
        assert trace.var("PBXB_REASON") == "closure: Sturm", trace.describe()
        assert trace.heard == [f"pbx-bridge/{STORM}"], trace.describe()
        assert trace.queues_joined == [], trace.describe()
    assert during[2].var("PBXB_ACTION") == "queue", during[2].describe()  # Meinersen stays open

    opened = pbx_bridge(call_center, "open", "gifhorn")
    assert opened.returncode == 0, opened.stderr
    time.sleep(EFFECTIVE_WITHIN_S)
    [after] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert after.var("PBXB_ACTION") == "queue", after.describe()
    assert after.heard[:1] == ["pbx-bridge/gifhorn"], after.describe()


def test_with_the_daemon_killed_the_failsafe_honours_a_closure_of_the_whole_center(
    call_center: CallCenter, daemons: Daemons, state_dir: Path
) -> None:
    daemon = daemons.start()
    closed = pbx_bridge(call_center, "close", "--all", "--reason", "Stromausfall")
    assert closed.returncode == 0, closed.stderr
    assert daemon.process is not None
    os.killpg(daemon.process.pid, signal.SIGKILL)
    daemon.process.wait(10)
    [gifhorn, unrouted] = call_center.run_calls(
        [Call(center.GIFHORN_CENTRAL), Call(center.UNKNOWN_NUMBER)]
    )
    for trace in (gifhorn, unrouted):
        assert trace.var("PBXB_DECIDED_BY") == "fallback", trace.describe()
        assert trace.var("PBXB_ACTION") == "closed", trace.describe()
        assert trace.var("PBXB_REASON") == "closure: Stromausfall", trace.describe()
        assert trace.queues_joined == [], trace.describe()
    assert gifhorn.heard == ["pbx-bridge/gifhorn-closed"], gifhorn.describe()
    assert unrouted.heard == ["pbx-bridge/closed"], unrouted.describe()

    opened = pbx_bridge(call_center, "open", "--all")
    assert opened.returncode == 0, opened.stderr
    [after] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert after.var("PBXB_DECIDED_BY") == "fallback", after.describe()
    assert after.var("PBXB_ACTION") == "queue", after.describe()


SUPERVISOR_PIN = "4711"
SUPERVISOR_SOUNDS = [
    "supervisor-pin", "supervisor-target", "supervisor-action", "supervisor-closed",
    "supervisor-opened", "supervisor-denied", "supervisor-unknown", "supervisor-failed",
]  # fmt: skip


def dial_star84(call_center: CallCenter, *answers: str, timeout: float = 60) -> str:
    """A supervisor's phone in the *84 dialog: a Local channel into the shipped
    [pbx-bridge-supervisor-run], keyed in (as DTMF) when each prompt asks; returns
    PBXB_SUPERVISOR_RESULT."""
    events = call_center.ami
    start = len(events.snapshot())
    reply = events.action(
        "Originate", Channel="Local/s@pbx-bridge-supervisor-run", Application="Wait",
        Data="90", CallerID="Leitstelle <201>", Async="true",
    )  # fmt: skip
    assert reply.get("Response") == "Success", reply
    seen = start
    prompts = ("supervisor-pin", "supervisor-target", "supervisor-action")
    for prompt, keys in zip(prompts, answers, strict=True):

        def asked(
            found: list[dict[str, str]], prompt: str = prompt, seen: int = seen
        ) -> int | None:
            for index in range(seen, len(found)):
                e = found[index]
                if e.get("Event") == "AGIExecStart" and prompt in e.get("Command", ""):
                    return index
            return None

        seen = events.wait_until(asked, timeout, f"*84 asking {prompt}")
        dialog = events.snapshot()[seen]["Channel"]  # Local/…;2 runs the dialplan
        for key in keys:
            events.action("PlayDTMF", Channel=dialog[:-1] + "1", Digit=key, Duration="100")
        seen += 1
    result = events.wait_until(
        lambda found: next(
            (
                e.get("Value")
                for e in found[start:]
                if e.get("Event") == "VarSet"
                and e.get("Variable") == "PBXB_SUPERVISOR_RESULT"
                and e.get("Value")
            ),
            None,
        ),
        timeout,
        "PBXB_SUPERVISOR_RESULT",
    )
    return str(result)


def test_a_supervisor_closes_gifhorn_by_phone_with_the_pin_and_callers_hear_it_closed(
    call_center: CallCenter, daemons: Daemons, state_dir: Path
) -> None:
    config = call_center.configure(center.EXAMPLE_TENANTS)
    with config.open("a", encoding="utf-8") as bridge:
        bridge.write(f'supervisor: {{pin_hash: "{hash_pin(SUPERVISOR_PIN)}"}}\n')
    sounds.prepare_sounds(call_center.sounds_dir, SUPERVISOR_SOUNDS)
    daemon = call_center.daemon(daemons.log)
    daemon.start()
    daemons.running.append(daemon)
    call_center.set_global(
        "PBXB_SUPERVISOR_URL", f"agi://127.0.0.1:{call_center.daemon_port}/supervisor"
    )

    assert dial_star84(call_center, f"{SUPERVISOR_PIN}#", "05371820#", "1") == "closed"
    audit = (state_dir / "closures-audit.jsonl").read_text(encoding="utf-8")
    assert '"who": "phone:201"' in audit and SUPERVISOR_PIN not in audit
    time.sleep(EFFECTIVE_WITHIN_S)
    [closed, other] = call_center.run_calls(
        [Call(center.GIFHORN_CENTRAL), Call(center.MEINERSEN_CENTRAL)]
    )
    assert closed.var("PBXB_REASON") == "closure: Kurzfristig geschlossen", closed.describe()
    assert closed.heard == ["pbx-bridge/gifhorn-closed"], closed.describe()
    assert other.var("PBXB_ACTION") == "queue", other.describe()

    assert dial_star84(call_center, f"{SUPERVISOR_PIN}#", "05371820#", "2") == "opened"
    time.sleep(EFFECTIVE_WITHIN_S)
    [reopened] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert reopened.var("PBXB_ACTION") == "queue", reopened.describe()
