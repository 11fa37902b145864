"""The variables a queued call gets for the agent's phone and the caller's choices."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from pbx_bridge import channel_vars as cv
from pbx_bridge.agi.variables import ACCOUNTCODE, call_request, channel_variables, queue_variables
from pbx_bridge.core.routing import Decision, decide
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


def gifhorn_call(
    directory: TenantDirectory, now: datetime, *, withheld: bool = False
) -> tuple[Decision, list[tuple[str, str]]]:
    """The decision for a call from 05371820 to Gifhorn's central number at `now`, and the
    queue variables it gets."""
    environment = env("05371820")
    request = call_request(environment, None)
    decision = decide(directory, request, now)
    return decision, queue_variables(directory, decision, environment, request, withheld=withheld)


def test_a_queued_gifhorn_call_gets_display_headers_and_choices() -> None:
    _, extra = gifhorn_call(with_gifhorn_choices(wolfsburg_directory()), OPEN)
    pairs = dict(extra)
    assert pairs[cv.AGENT_DISPLAY] == "Gifhorn Zentrale: Müller"
    assert (pairs[cv.SIP_TENANT], pairs[cv.SIP_DEPARTMENT]) == ("gifhorn", "Zentrale")
    assert (pairs[cv.CALLBACK_AFTER], pairs[cv.CALLBACK_DIAL]) == ("60", "05371820")
    assert (pairs[cv.OVERFLOW_ACTION], pairs[cv.OVERFLOW_TO]) == ("forward", "02942500")


def test_a_withheld_caller_gets_no_callback() -> None:
    _, extra = gifhorn_call(with_gifhorn_choices(wolfsburg_directory()), OPEN, withheld=True)
    pairs = dict(extra)
    assert (pairs[cv.CALLBACK_AFTER], pairs[cv.CALLBACK_DIAL]) == ("", "")


def test_a_closed_call_gets_none_of_them() -> None:
    assert gifhorn_call(wolfsburg_directory(), CLOSED)[1] == []


def test_the_action_stays_last_after_the_extra_variables() -> None:
    decision, extra = gifhorn_call(wolfsburg_directory(), OPEN)
    pairs = channel_variables(
        decision, queue_timeout=300, decided_by="daemon", generation="g", extra=extra
    )
    assert [name for name, _ in pairs[-2:]] == [ACCOUNTCODE, cv.ACTION]
    assert set(extra) <= set(pairs)
