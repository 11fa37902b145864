"""The Python side and dialplans/pbx-bridge.conf agree on every channel variable name."""

from __future__ import annotations

import re
from pathlib import Path

from pbx_bridge import channel_vars as cv

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
}


def test_every_decision_variable_is_read_by_the_dialplan() -> None:
    assert not ACTED_ON - USED


def test_the_dialplan_uses_no_unknown_variable() -> None:
    known = set(cv.ALL) | {cv.REDIRECTING, cv.WITHHELD} | DIALPLAN_OWN
    assert not USED - known, USED - known


def test_the_dialplan_sets_what_the_call_tracker_reads() -> None:
    for name in (cv.REDIRECTING, cv.WITHHELD):
        assert re.search(rf"M?Set\((?:[^)]*,)?{name}=", DIALPLAN), name


def test_the_entry_context_and_agi_script_name_match() -> None:
    assert "[pbx-bridge-inbound]" in DIALPLAN
    assert f"/{cv.AGI_SCRIPT}" in DIALPLAN or cv.AGI_SCRIPT in DIALPLAN
