"""The KPI formulas of docs/statistics.md, on counts small enough to check by hand."""

from __future__ import annotations

from datetime import date

import pytest

from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.kpis import (
    CallCounts,
    abandon_rate_percent,
    asa_s,
    first_contact_resolution_percent,
    month_fully_inside,
    monthly_average,
    months_between,
    percent,
    service_level_percent,
)


def group(outcome: Outcome, calls: int, **sums: float) -> CallCounts:
    values = {"answered": 0, "answered_within": 0, "short_abandons": 0, "wait_answered_s": 0.0}
    values.update(sums)
    return CallCounts.of_group(
        outcome,
        calls=calls,
        answered=int(values["answered"]),
        within={20: int(values["answered_within"])},
        short_abandons=int(values["short_abandons"]),
        wait_answered_s=values["wait_answered_s"],
    )


# 100 calls: 80 answered (60 within the threshold, 1,600 s of waiting), 12 abandoned of which
# 2 short, 3 overflowed, 4 closed, 1 unrouted.
DAY = (
    group(Outcome.RESOLVED, 50, answered=50, answered_within=40, wait_answered_s=900.0)
    + group(Outcome.TRANSFERRED, 20, answered=20, answered_within=15, wait_answered_s=500.0)
    + group(Outcome.CALLBACK, 10, answered=10, answered_within=5, wait_answered_s=200.0)
    + group(Outcome.ABANDONED, 12, short_abandons=2)
    + group(Outcome.OVERFLOW, 3)
    + group(Outcome.CLOSED, 4)
    + group(Outcome.UNROUTED, 1)
)


def test_offered_excludes_closed_unrouted_and_short_abandons() -> None:
    assert DAY.calls == 100
    assert DAY.offered == 100 - 4 - 1 - 2


def test_service_level_is_answered_within_threshold_over_offered() -> None:
    assert service_level_percent(DAY) == pytest.approx(100 * 60 / 93)


def test_abandon_rate_counts_only_abandons_that_were_not_short() -> None:
    assert abandon_rate_percent(DAY) == pytest.approx(100 * 10 / 93)


def test_asa_is_the_mean_wait_of_answered_calls() -> None:
    assert asa_s(DAY) == pytest.approx(1600 / 80)


def test_counts_add_up_field_by_field() -> None:
    twice = DAY + DAY
    assert twice.calls == 200
    assert twice.offered == 2 * DAY.offered
    assert service_level_percent(twice) == pytest.approx(service_level_percent(DAY) or 0)


def test_figures_of_nothing_are_none_not_zero() -> None:
    empty = CallCounts()
    assert service_level_percent(empty) is None
    assert abandon_rate_percent(empty) is None
    assert asa_s(empty) is None
    assert percent(3, 0) is None
    assert monthly_average(0, 0) is None


def test_only_closed_calls_offer_nothing() -> None:
    assert group(Outcome.CLOSED, 7).offered == 0
    assert service_level_percent(group(Outcome.CLOSED, 7)) is None


def test_gifhorn_monthly_average_over_april_to_december() -> None:
    months = months_between(date(2019, 4, 1), date(2019, 12, 31))
    assert months == [f"2019-{m:02d}" for m in range(4, 13)]
    assert monthly_average(35_559, len(months)) == 3_951


def test_months_between_crosses_years_and_counts_partial_months() -> None:
    assert months_between(date(2019, 11, 15), date(2020, 2, 1)) == [
        "2019-11",
        "2019-12",
        "2020-01",
        "2020-02",
    ]
    assert months_between(date(2020, 2, 1), date(2019, 1, 1)) == []


@pytest.mark.parametrize(
    ("month", "first", "last", "inside"),
    [
        ("2019-04", date(2019, 4, 1), date(2019, 4, 30), True),
        ("2019-04", date(2019, 4, 2), date(2019, 12, 31), False),
        ("2019-04", date(2019, 1, 1), date(2019, 4, 29), False),
        ("2019-12", date(2019, 1, 1), date(2019, 12, 31), True),
        ("2020-02", date(2020, 2, 1), date(2020, 2, 29), True),
    ],
)
def test_month_fully_inside(month: str, first: date, last: date, inside: bool) -> None:
    assert month_fully_inside(month, first, last) is inside


def test_a_threshold_unknown_for_some_calls_is_unknown_for_the_sum() -> None:
    known = CallCounts.of_group(
        Outcome.RESOLVED,
        calls=4,
        answered=4,
        within={20: 3, 30: 4},
        short_abandons=0,
        wait_answered_s=40.0,
    )
    purged_before_30 = CallCounts.of_group(
        Outcome.RESOLVED,
        calls=2,
        answered=2,
        within={20: 1, 30: None},
        short_abandons=0,
        wait_answered_s=50.0,
    )
    total = known + purged_before_30
    assert total.within == ((20, 4), (30, None))
    assert service_level_percent(total, 20) == pytest.approx(100 * 4 / 6)
    assert service_level_percent(total, 30) is None
    assert (CallCounts() + known).within == known.within  # nothing adds nothing


def test_first_contact_resolution_is_resolved_over_answered() -> None:
    assert DAY.resolved == 50
    assert first_contact_resolution_percent(DAY) == pytest.approx(100 * 50 / 80)
    assert first_contact_resolution_percent(CallCounts()) is None
