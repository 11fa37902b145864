"""The Python side and dialplans/pbx-bridge.conf agree on every channel variable name."""

from __future__ import annotations

import re
from pathlib import Path

from pbx_bridge import channel_vars as cv
from pbx_bridge.agi.supervisor_fallback import SUPERVISOR_CONTEXT

DIALPLAN = (Path(__file__).resolve().parents[2] / "dialplans" / "pbx-bridge.conf").read_text()
USED = set(re.findall(r"PBXB_[A-Z_]+", DIALPLAN))

# Variables the dialplan must read to act on a decision.
ACTED_ON = {
    cv.ACTION,
    cv.GREETING,
    cv.QUEUE,
    cv.PRIORITY,
    cv.QUEUE_TIMEOUT,
    cv.CLOSED_ANNOUNCEMENT,
    cv.CLOSED_ACTION,
    cv.FORWARD_TO,
    cv.DECIDED_BY,
    cv.AGENT_DISPLAY,
    cv.SIP_TENANT,
    cv.SIP_DEPARTMENT,
    cv.KNOWLEDGE_URL,
    cv.WHISPER,
    cv.CALLBACK_AFTER,
    cv.CALLBACK_DIAL,
    cv.OVERFLOW_ACTION,
    cv.OVERFLOW_TO,
}
# Settings an admin may give as globals, and the dialplan's own scratch variables.
DIALPLAN_OWN = {
    "PBXB_AGI_URL",
    "PBXB_SECOND_AGI_URL",
    "PBXB_AGI_TIMEOUT",
    "PBXB_FALLBACK_AGI",
    "PBXB_FALLBACK_CONFIG",
    "PBXB_FORWARD_CONTEXT",
    "PBXB_FORWARD_ENDPOINT",
    "PBXB_FORWARD_TIMEOUT",
    "PBXB_GENERIC_GREETING",
    "PBXB_GENERIC_QUEUE",
    "PBXB_DEFAULT_QUEUE_TIMEOUT",
    "PBXB_QUEUE_OPTIONS",
    "PBXB_DIALLED",
    "PBXB_ASKING",
    "PBXB_AGENT",
    "PBXB_WRAPUP_CALL",
    "PBXB_SUPERVISOR_URL",
    "PBXB_WAIT_UNTIL",
    "PBXB_WAIT_STEP",
    "PBXB_POSITION",
    "PBXB_OFFER_AT",
    "PBXB_CAN_CALL_BACK",
    "PBXB_WHISPER_FILE",
    "PBXB_KEY",
    "PBXB_LANGUAGE",
}


def test_every_decision_variable_is_read_by_the_dialplan() -> None:
    assert not ACTED_ON - USED


def test_the_dialplan_uses_no_unknown_variable() -> None:
    known = set(cv.ALL) | {cv.REDIRECTING, cv.WITHHELD, cv.SUPERVISOR_RESULT, cv.CALLBACK}
    known |= DIALPLAN_OWN
    assert not USED - known, USED - known


def test_the_dialplan_sets_what_the_call_tracker_reads() -> None:
    for name in (cv.REDIRECTING, cv.WITHHELD, cv.CALLBACK):
        assert re.search(rf"M?Set\((?:[^)]*,)?{name}=", DIALPLAN), name


def test_the_entry_context_and_agi_script_name_match() -> None:
    assert "[pbx-bridge-inbound]" in DIALPLAN
    assert f"/{cv.AGI_SCRIPT}" in DIALPLAN or cv.AGI_SCRIPT in DIALPLAN


def test_the_supervisor_dialog_is_asked_of_the_daemon_then_of_the_fallback() -> None:
    assert f"[{SUPERVISOR_CONTEXT}]" in DIALPLAN
    assert f"agi://127.0.0.1:4573/{cv.SUPERVISOR_SCRIPT}" in DIALPLAN
    assert f"${{PBXB_FALLBACK_CONFIG}},{cv.SUPERVISOR_SCRIPT})" in DIALPLAN
    assert "exten => *84," in DIALPLAN
    assert "PIN=" not in DIALPLAN.upper().replace("PIN_HASH", "")
