"""The variables a queued call gets for the agent's phone and the caller's choices."""

from __future__ import annotations

import dataclasses

from pbx_bridge import channel_vars as cv
from pbx_bridge.agi.variables import ACCOUNTCODE, call_request, channel_variables, queue_variables
from pbx_bridge.core.routing import decide
from pbx_bridge.core.tenants import OverflowAction, OverflowPolicy, TenantDirectory
from tests.unit.core.factories import at, wolfsburg_directory

OPEN = at("2026-11-02T10:00")  # a Monday
CLOSED = at("2026-11-01T10:00")  # a Sunday


def env(dialled: str, caller: str = "05371820", name: str = "Müller") -> dict[str, str]:
    return {"agi_extension": dialled, "agi_callerid": caller, "agi_calleridname": name}


def with_gifhorn_choices(directory: TenantDirectory) -> TenantDirectory:
    gifhorn = directory.tenant("gifhorn")
    assert gifhorn is not None
    changed = dataclasses.replace(
        gifhorn,
        short_name="Gifhorn",
        callback_offer_after_s=60,
        overflow=OverflowPolicy(OverflowAction.FORWARD, "+492942500"),
    )
    others = tuple(t for t in directory.tenants if t.id != "gifhorn")
    return TenantDirectory(directory.center, (changed, *others))


def test_a_queued_gifhorn_call_gets_display_headers_and_choices() -> None:
    directory = with_gifhorn_choices(wolfsburg_directory())
    environment = env("05371820")
    request = call_request(environment, None)
    decision = decide(directory, request, OPEN)
    pairs = dict(queue_variables(directory, decision, environment, request, withheld=False))
    assert pairs[cv.AGENT_DISPLAY] == "Gifhorn Zentrale: Müller"
    assert (pairs[cv.SIP_TENANT], pairs[cv.SIP_DEPARTMENT]) == ("gifhorn", "Zentrale")
    assert (pairs[cv.CALLBACK_AFTER], pairs[cv.CALLBACK_DIAL]) == ("60", "05371820")
    assert (pairs[cv.OVERFLOW_ACTION], pairs[cv.OVERFLOW_TO]) == ("forward", "02942500")


def test_a_withheld_caller_gets_no_callback() -> None:
    directory = with_gifhorn_choices(wolfsburg_directory())
    environment = env("05371820")
    request = call_request(environment, None)
    decision = decide(directory, request, OPEN)
    pairs = dict(queue_variables(directory, decision, environment, request, withheld=True))
    assert (pairs[cv.CALLBACK_AFTER], pairs[cv.CALLBACK_DIAL]) == ("", "")


def test_a_closed_call_gets_none_of_them() -> None:
    directory = wolfsburg_directory()
    environment = env("05371820")
    request = call_request(environment, None)
    decision = decide(directory, request, CLOSED)
    assert queue_variables(directory, decision, environment, request, withheld=False) == []


def test_the_action_stays_last_after_the_extra_variables() -> None:
    directory = wolfsburg_directory()
    environment = env("05371820")
    request = call_request(environment, None)
    decision = decide(directory, request, OPEN)
    extra = queue_variables(directory, decision, environment, request, withheld=False)
    pairs = channel_variables(
        decision, queue_timeout=300, decided_by="daemon", generation="g", extra=extra
    )
    assert [name for name, _ in pairs[-2:]] == [ACCOUNTCODE, cv.ACTION]
    assert set(extra) <= set(pairs)
