"""German number formats and the chart geometry the templates draw."""

from __future__ import annotations

from pbx_bridge.web.formats import german_number, german_percent, wait_text
from pbx_bridge.web.reports.charts import bar_chart, heat_map


def test_numbers_read_the_german_way() -> None:
    assert german_number(1234567) == "1.234.567"
    assert german_number(1234.56) == "1.234,6"
    assert german_percent(87.25) == "87,2 %"
    assert german_percent(None) == "–"
    assert wait_text(75.9) == "1:15"


def test_bars_scale_to_the_highest_value_and_missing_values_draw_none() -> None:
    chart = bar_chart([("01/26", 50), ("02/26", 100), ("03/26", None)], height=200)
    low, high, missing = chart.bars
    assert high.height == 2 * low.height
    assert missing.height == 0
    assert missing.value == "–"
    assert high.y + high.height == chart.baseline
    assert not chart.empty
    assert bar_chart([("01/26", 0)]).empty


def test_the_heat_map_shades_by_share_of_the_busiest_hour() -> None:
    matrix = [[0] * 24 for _ in range(7)]
    matrix[0][9] = 40
    matrix[4][14] = 10
    chart = heat_map(matrix, ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    shades = {c.title.split(" –")[0]: c.shade for c in chart.cells}
    assert shades["mon 09:00"] == 1.0
    assert 0 < shades["fri 14:00"] < 0.4
    assert shades["sun 03:00"] == 0.0
    assert len(chart.cells) == 7 * 24
