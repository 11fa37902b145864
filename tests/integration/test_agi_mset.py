"""The daemon sets a call's variables with one `EXEC MSet`; Asterisk holds exactly the texts of
the tenant files, whatever characters they contain, also with AGIEXECFULL set.

What Asterisk holds is read from its own VarSet events (their Value is C-escaped by Asterisk:
ast_escape_c in varset_to_ami, main/stasis_channels.c); the command count from AGIExecStart.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.testbed import center
from tests.testbed.callcenter import CallCenter, Daemons
from tests.testbed.calls import CallTrace
from tests.testbed.sipp import Call

# Every character one of Asterisk's parsers reads as syntax, plus references it could expand.
NAME = 'Gemeinde "Süd", Ortsteil (Alt) [2] {x} \\ Äöü ß'
DEPARTMENT = "Bürgerbüro (EG, 'Raum 3' ${CALLERID(num)}"  # the "(" is never closed
REASON = 'Personalversammlung, "ganztägig" $[1+1] \\\\ ) ]'


# ast_escape_c (main/utils.c): these characters arrive as a backslash and a letter.
_C_ESCAPES = dict(zip("abfnrtv\\'\"?", "\a\b\f\n\r\t\v\\'\"?", strict=True))


def _held(trace: CallTrace, name: str) -> str | None:
    """The value of channel variable `name` as Asterisk holds it (VarSet's Value unescaped)."""
    value = trace.var(name)
    if value is None:
        return None
    return re.sub(r"\\(.)", lambda m: _C_ESCAPES.get(m[1], m[0]), value)


def _nasty_tenant() -> center.Tenant:
    today = datetime.now(ZoneInfo("Europe/Berlin")).date()
    days = [today + timedelta(days=d) for d in (-1, 0, 1)]  # the call may cross midnight
    return dataclasses.replace(
        center.GIFHORN,
        name=NAME,
        numbers=[("05371 82-0", DEPARTMENT)],
        extra={
            "exceptions": [
                {"date": day.isoformat(), "hours": "00:00-24:00", "reason": REASON} for day in days
            ]
        },
    )


def _agi_commands(trace: CallTrace) -> list[str]:
    return [
        e.get("Command", "")
        for e in trace.events
        if e.get("Event") == "AGIExecStart" and e.get("Channel") == trace.channel
    ]


def _assert_texts_arrived_unchanged(trace: CallTrace) -> None:
    assert trace.var("PBXB_DECIDED_BY") == "daemon", trace.describe()
    assert _held(trace, "PBXB_TENANT_NAME") == NAME
    assert _held(trace, "PBXB_DEPARTMENT") == DEPARTMENT
    assert _held(trace, "PBXB_REASON") == f"exception: {REASON}"
    assert trace.var("PBXB_TENANT") == "gifhorn"
    assert trace.var("PBXB_ACTION") == "queue"
    # CHANNEL(accountcode) is a function, set by the same MSet: the CDR carries it.
    assert "gifhorn" in trace.cdr_accountcodes, trace.cdr_accountcodes
    assert trace.heard[:1] == ["pbx-bridge/gifhorn"], trace.describe()
    assert trace.queues_joined == [center.CENTER_QUEUE], trace.describe()
    [command] = _agi_commands(trace)  # every variable in one round trip
    assert command.startswith("EXEC MSet "), command
    assert [name for name, _ in _set_in_order(trace)][-1] == "PBXB_ACTION"


def _set_in_order(trace: CallTrace) -> list[tuple[str, str]]:
    """The variables the decision set, in Asterisk's order (from AGI start to Answer)."""
    pairs: list[tuple[str, str]] = []
    inside = False
    for e in trace.events:
        if e.get("Channel") != trace.channel:
            continue
        if e.get("Event") == "AGIExecStart":
            inside = True
        elif e.get("Event") == "AGIExecEnd":
            inside = False
        elif inside and e.get("Event") == "VarSet":
            pairs.append((e["Variable"], e.get("Value", "")))
    return pairs


def test_tenant_texts_with_commas_quotes_brackets_and_umlauts_reach_asterisk_unchanged(
    call_center: CallCenter, daemons: Daemons
) -> None:
    daemons.start([_nasty_tenant()])
    [trace] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    _assert_texts_arrived_unchanged(trace)


def test_with_agiexecfull_set_no_variable_reference_in_a_text_is_expanded(
    call_center: CallCenter, daemons: Daemons
) -> None:
    # AGIEXECFULL makes EXEC substitute ${...} and $[...] in its argument before MSet runs.
    call_center.set_global("AGIEXECFULL", "yes")
    daemons.start([_nasty_tenant()])
    [trace] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    _assert_texts_arrived_unchanged(trace)
    assert trace.caller not in (_held(trace, "PBXB_DEPARTMENT") or "")
