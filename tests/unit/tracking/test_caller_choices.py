"""A caller's choice while waiting and the overflow destination, in the call's record.

The streams are recorded AMI events of a real Asterisk 22 (tests/fixtures/ami), with the
VarSet events the dialplan's [pbx-bridge-wait] sends added on the caller's channel.
"""

from __future__ import annotations

from pbx_bridge import channel_vars as cv
from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.outcomes import CALLER_CALLBACK_DETAIL
from tests.unit.tracking.streams import NOW, feed_all, replay, stream, tracker

Event = dict[str, str]


def with_vars(name: str, values: dict[str, str]) -> list[Event]:
    """Stream `name` with `values` set on the caller's channel just after its queue entry."""
    events = stream(name)
    join = next(i for i, e in enumerate(events) if e.get("Event") == "QueueCallerJoin")
    caller = events[join]
    added = [
        {**{k: v for k, v in caller.items() if k not in ("Queue", "Position", "Count")},
         "Event": "VarSet", "Variable": variable, "Value": value}
        for variable, value in values.items()
    ]  # fmt: skip
    return [*events[: join + 1], *added, *events[join + 1 :]]


def test_a_caller_who_confirmed_a_callback_ends_as_callback_with_the_number_for_the_ticket() -> (
    None
):
    (record,) = feed_all(tracker(), with_vars("abandoned", {cv.CALLBACK: "05371820"}), NOW).records
    assert (record.outcome, record.detail) == (Outcome.CALLBACK, CALLER_CALLBACK_DETAIL)
    assert record.callback_to == "05371820"
    assert record.caller is None or record.caller.endswith("xxx")  # shortened as always


def test_an_overflow_forwarded_to_the_switchboard_names_its_target() -> None:
    values = {cv.OVERFLOW_ACTION: "forward", cv.OVERFLOW_TO: "029425000"}
    (record,) = feed_all(tracker(), with_vars("overflow", values), NOW).records
    assert (record.outcome, record.detail) == (Outcome.OVERFLOW, "timeout; forwarded to 029425000")
    assert record.callback_to is None


def test_an_overflow_that_only_announces_stays_a_plain_overflow() -> None:
    (plain,) = replay("overflow").records
    (record,) = feed_all(
        tracker(), with_vars("overflow", {cv.OVERFLOW_ACTION: "hangup"}), NOW
    ).records
    assert (
        (record.outcome, record.detail)
        == (plain.outcome, plain.detail)
        == (
            Outcome.OVERFLOW,
            "timeout",
        )
    )


def test_an_offer_declined_leaves_no_callback() -> None:
    (record,) = feed_all(tracker(), with_vars("abandoned", {cv.CALLBACK: ""}), NOW).records
    assert record.outcome is Outcome.ABANDONED and record.callback_to is None
