"""Series periods: months, ISO weeks and days of the local calendar, none left out."""

from __future__ import annotations

from datetime import date

from pbx_bridge.core.periods import Period, period_of, periods_between


def test_iso_week_of_new_year_belongs_to_the_year_of_its_thursday() -> None:
    assert period_of(date(2021, 1, 1), Period.WEEK) == "2020-W53"
    assert period_of(date(2019, 12, 30), Period.WEEK) == "2020-W01"


def test_periods_between_lists_every_period_touched() -> None:
    assert periods_between(date(2019, 11, 15), date(2020, 1, 31), Period.MONTH) == [
        "2019-11",
        "2019-12",
        "2020-01",
    ]
    assert periods_between(date(2019, 11, 1), date(2019, 11, 11), Period.WEEK) == [
        "2019-W44",
        "2019-W45",
        "2019-W46",
    ]
    assert periods_between(date(2020, 2, 28), date(2020, 3, 1), Period.DAY) == [
        "2020-02-28",
        "2020-02-29",
        "2020-03-01",
    ]
    assert periods_between(date(2020, 3, 1), date(2020, 2, 1), Period.DAY) == []
