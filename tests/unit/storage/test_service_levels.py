"""Several service levels, first-contact resolution and the series, on a month built so that
its figures are known in advance, the same before and after purge."""

from __future__ import annotations

from datetime import date, timedelta

from pbx_bridge.core.kpis import (
    KpiThresholds,
    first_contact_resolution_percent,
    service_level_percent,
)
from pbx_bridge.core.periods import Period
from pbx_bridge.storage import CallLog
from tests.unit.core.factories import at, wolfsburg_directory
from tests.unit.storage.known_month import known_month

NOVEMBER = (date(2019, 11, 1), date(2019, 11, 30))
NOW = at("2020-07-01T12:00")
THRESHOLDS = KpiThresholds(service_levels_s=(30, 20))


def open_log(url: str, **options: object) -> CallLog:
    log = CallLog(url, directory=wolfsburg_directory(), thresholds=THRESHOLDS, **options)  # type: ignore[arg-type]
    log.upgrade()
    return log


def test_known_month_gives_75_percent_in_30_s_and_60_in_20_s(url: str) -> None:
    log = open_log(url)
    log.write_records(known_month())
    report = log.report(tenant="gifhorn", first=NOVEMBER[0], last=NOVEMBER[1], now=NOW)
    log.close()
    counts = report.counts
    assert (counts.calls, counts.offered, counts.answered) == (210, 200, 160)
    assert counts.answered_within == 120 + 30  # the first threshold, 30 s
    assert service_level_percent(counts) == 75.0
    assert service_level_percent(counts, 30) == 75.0
    assert service_level_percent(counts, 20) == 60.0
    assert counts.resolved == 104
    assert first_contact_resolution_percent(counts) == 65.0


def test_figures_are_the_same_before_and_after_purge(url: str) -> None:
    log = open_log(url)
    log.write_records(known_month())
    before = log.report(
        tenant="gifhorn", first=NOVEMBER[0], last=NOVEMBER[1], now=NOW, by=Period.MONTH
    )
    purged = log.purge(timedelta(days=180), NOW)
    assert purged.calls == 210
    after = log.report(
        tenant="gifhorn", first=NOVEMBER[0], last=NOVEMBER[1], now=NOW, by=Period.MONTH
    )
    log.close()
    assert after.counts.calls == 210
    assert after.counts.within == before.counts.within == ((30, 150), (20, 120))
    assert after.counts.resolved == before.counts.resolved == 104
    assert after.outcomes == before.outcomes
    assert after.series["2019-11"].counts == before.series["2019-11"].counts
    assert after.notes == []


def test_series_by_week_and_day_split_the_month(url: str) -> None:
    log = open_log(url)
    log.write_records(known_month())
    weeks = log.report(
        tenant="gifhorn", first=NOVEMBER[0], last=NOVEMBER[1], now=NOW, by=Period.WEEK
    )
    days = log.report(tenant="gifhorn", first=NOVEMBER[0], last=NOVEMBER[1], now=NOW, by=Period.DAY)
    log.close()
    assert list(weeks.series) == ["2019-W44", "2019-W45", "2019-W46", "2019-W47", "2019-W48"]
    for week in ("2019-W45", "2019-W46"):
        counts = weeks.series[week].counts
        assert (counts.calls, counts.offered) == (105, 100)
        assert service_level_percent(counts, 20) == 60.0
        assert first_contact_resolution_percent(counts) == 65.0
    assert weeks.series["2019-W44"].counts.calls == 0
    assert service_level_percent(weeks.series["2019-W44"].counts) is None  # nothing offered
    assert len(days.series) == 30
    assert days.series["2019-11-12"].counts.calls == 105
    assert sum(figures.counts.calls for figures in days.series.values()) == 210


def test_series_by_week_of_a_purged_month_says_what_it_leaves_out(url: str) -> None:
    log = open_log(url)
    log.write_records(known_month())
    log.purge(timedelta(days=180), NOW)
    weeks = log.report(
        tenant="gifhorn", first=NOVEMBER[0], last=NOVEMBER[1], now=NOW, by=Period.WEEK
    )
    log.close()
    assert weeks.counts.calls == 210  # the totals keep the purged month
    assert sum(figures.counts.calls for figures in weeks.series.values()) == 0
    assert any("series by week leaves out" in note for note in weeks.notes)


def test_a_tenant_may_have_its_own_thresholds(url: str) -> None:
    log = open_log(url, tenant_thresholds={"gifhorn": KpiThresholds(service_levels_s=(45,))})
    log.write_records(known_month("gifhorn") + known_month("meinersen"))
    gifhorn = log.report(tenant="gifhorn", first=NOVEMBER[0], last=NOVEMBER[1], now=NOW)
    meinersen = log.report(tenant="meinersen", first=NOVEMBER[0], last=NOVEMBER[1], now=NOW)
    log.purge(timedelta(days=180), NOW)
    purged = log.report(tenant="gifhorn", first=NOVEMBER[0], last=NOVEMBER[1], now=NOW)
    log.close()
    assert gifhorn.counts.within == ((45, 160),)
    assert meinersen.counts.within == ((30, 150), (20, 120))
    assert purged.counts.within == ((45, 160),)  # purge keeps every configured threshold
