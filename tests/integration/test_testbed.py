"""The testbed itself works: Asterisk boots, SIPp calls are queued and answered, nothing is left.

These need neither the daemon nor the fallback AGI.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.testbed import sipp, sounds
from tests.testbed.asterisk import Asterisk, AsteriskSettings, Testbed
from tests.testbed.callcenter import CallCenter


def test_asterisk_is_the_provisioned_asterisk_22(call_center: CallCenter) -> None:
    assert "Asterisk 22." in call_center.asterisk.cli("core show version")
    assert "pbx-bridge-inbound" in call_center.asterisk.cli("dialplan show pbx-bridge-inbound")
    assert "PJSIP/agent1" in call_center.asterisk.cli("queue show servicecenter")


def test_selftest_call_is_queued_and_answered_by_a_sipp_agent(call_center: CallCenter) -> None:
    # From user "selftest" selects the test-only endpoint and context (plain Queue()).
    call = sipp.Call("100", caller="selftest")
    [trace] = call_center.run_calls([call])
    assert trace.heard == ["pbx-bridge/servicecenter"], trace.describe()
    assert trace.queues_joined == ["servicecenter"], trace.describe()
    assert trace.answered_by in {f"PJSIP/{name}" for name in call_center.agents}, trace.describe()


def test_a_second_asterisk_runs_beside_the_first_and_leaves_nothing_behind(
    testbed: Testbed, tmp_path: Path, call_center: CallCenter
) -> None:
    prompts = sounds.prepare_sounds(tmp_path / "sounds", [])
    second = Asterisk(testbed, tmp_path, AsteriskSettings(prompts, {"agent1": 9}, 9))
    second.start()
    try:
        assert second.sip_port != call_center.asterisk.sip_port
        assert "Asterisk 22." in second.cli("core show version")
        assert second.process is not None
        pgid = second.process.pid
    finally:
        second.stop()
    left = subprocess.run(["pgrep", "-g", str(pgid)], check=False, capture_output=True, text=True)
    assert left.stdout.strip() == "", f"processes left in group {pgid}: {left.stdout}"
    # The first one is untouched.
    assert "Asterisk 22." in call_center.asterisk.cli("core show version")
