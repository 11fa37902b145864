"""Local month, weekday and hour in the database, across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from pbx_bridge.storage import CallLog
from pbx_bridge.storage.local_time import offset_changes
from tests.unit.core.factories import at
from tests.unit.storage.builders import answered

BERLIN = ZoneInfo("Europe/Berlin")


def test_berlin_2019_changes_offset_at_the_dst_instants() -> None:
    changes = offset_changes(
        BERLIN, datetime(2019, 1, 1, tzinfo=UTC), datetime(2020, 1, 1, tzinfo=UTC)
    )
    assert changes == [
        (datetime(2019, 1, 1, tzinfo=UTC), 60),
        (datetime(2019, 3, 31, 1, 0, tzinfo=UTC), 120),
        (datetime(2019, 10, 27, 1, 0, tzinfo=UTC), 60),
    ]


def test_zone_without_dst_has_one_offset() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    changes = offset_changes(
        kolkata, datetime(2019, 1, 1, tzinfo=UTC), datetime(2020, 1, 1, tzinfo=UTC)
    )
    assert changes == [(datetime(2019, 1, 1, tzinfo=UTC), 330)]


def test_hours_weekdays_and_months_are_local(call_log: CallLog) -> None:
    # Local times on both sides of both DST changes, and month ends where UTC and local differ.
    for call_id, local in [
        ("1", "2019-03-31T01:30"),  # Sunday, before the spring change (UTC+1)
        ("2", "2019-03-31T03:30"),  # Sunday, after it (UTC+2)
        ("3", "2019-10-27T02:30"),  # Sunday, the repeated hour: first pass is UTC+2
        ("4", "2019-04-30T23:59"),  # Tuesday, still April locally (21:59 UTC)
        ("5", "2019-05-01T00:30"),  # Wednesday, May locally, April in UTC
    ]:
        call_log.write_record(answered(call_id, local))
    report = call_log.report(
        tenant="gifhorn",
        first=date(2019, 3, 1),
        last=date(2019, 10, 31),
        now=at("2020-01-01T00:00"),
    )
    assert report.hours[1] == 1 and report.hours[3] == 1 and report.hours[2] == 1
    assert report.hours[23] == 1 and report.hours[0] == 1
    assert report.weekdays == [0, 1, 1, 0, 0, 0, 3]
    assert report.months["2019-03"] == 2
    assert report.months["2019-04"] == 1
    assert report.months["2019-05"] == 1
    assert report.months["2019-10"] == 1


def test_report_range_is_local_dates(call_log: CallLog) -> None:
    call_log.write_record(answered("early", "2019-04-01T00:10"))  # 31 March 22:10 UTC
    call_log.write_record(answered("late", "2019-03-31T23:50"))  # 31 March 21:50 UTC
    april = call_log.report(
        tenant="gifhorn", first=date(2019, 4, 1), last=date(2019, 4, 1), now=at("2020-01-01T00:00")
    )
    assert april.total_calls == 1
    assert april.hours[0] == 1
