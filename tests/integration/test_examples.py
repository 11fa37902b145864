"""The plain-Asterisk examples in dialplans/asterisk/ load in Asterisk 22 and route a call.

Only what cannot work on a test machine is changed: the SIP port and the carrier's host name.
"""

from __future__ import annotations

from pathlib import Path

from tests.testbed import ami, ports, sipp, sounds
from tests.testbed.asterisk import DIALPLAN, Asterisk, AsteriskSettings, Testbed
from tests.testbed.calls import CallTrace

EXAMPLES = DIALPLAN.parent / "asterisk"


def test_plain_asterisk_examples_load_and_take_a_call_to_the_center_queue(
    testbed: Testbed, tmp_path: Path
) -> None:
    prompts = sounds.prepare_sounds(tmp_path / "sounds", [])
    pbx = Asterisk(testbed, tmp_path, AsteriskSettings(prompts, {}, 9))
    pjsip = (EXAMPLES / "pjsip.conf.example").read_text()
    pjsip = pjsip.replace("0.0.0.0:5060", f"127.0.0.1:{pbx.sip_port}")
    pjsip = pjsip.replace("sip.carrier.example:5060", "127.0.0.1:9")
    pjsip = pjsip.replace("sip.carrier.example", "127.0.0.1")
    extensions = (EXAMPLES / "extensions.conf.example").read_text()
    extensions = extensions.replace("#include pbx-bridge.conf", f'#include "{DIALPLAN}"')
    # Nobody answers the FastAGI port or has a fallback here: the generic path must carry it.
    extensions = extensions.replace(
        "PBXB_AGI_URL = agi://127.0.0.1:4573/route",
        f"PBXB_AGI_URL = agi://127.0.0.1:{ports.free_port()}/route\n"
        "PBXB_FALLBACK_AGI = /nonexistent/pbx-bridge-fallback-agi",
    )
    pbx.settings.overrides = {
        "pjsip.conf": pjsip,
        "extensions.conf": extensions,
        "queues.conf": (EXAMPLES / "queues.conf.example").read_text(),
    }
    pbx.start()
    recorder = ami.AmiRecorder(
        "127.0.0.1", pbx.ami_port, pbx.ami_user, pbx.ami_secret, tmp_path / "ami.log"
    )
    try:
        recorder.connect()
        assert "carrier" in pbx.cli("pjsip show endpoint carrier")
        assert "PJSIP/agent1" in pbx.cli("queue show servicecenter")
        call = sipp.Call("05371820")
        callers = sipp.callers(tmp_path, "callers", pbx.sip_port, [call], hold_ms=4000)
        callers.start()
        assert callers.wait(30).ok
        trace = recorder.wait_until(
            lambda events: CallTrace.ended(events, call.caller),
            timeout=20,
            what="the call's hangup",
        )
        assert trace.channel.startswith("PJSIP/carrier-"), trace.describe()
        assert trace.var("PBXB_DECIDED_BY") == "generic", trace.describe()
        assert trace.heard == ["pbx-bridge/servicecenter"], trace.describe()
        assert trace.queues_joined == ["servicecenter"], trace.describe()
    finally:
        recorder.close()
        pbx.stop()
