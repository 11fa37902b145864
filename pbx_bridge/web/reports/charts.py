"""Chart geometry for server-side SVG (pure): the templates only draw what this computes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pbx_bridge.web.formats import german_number


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # under the bar
    value: str  # above the bar, and the tooltip


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    baseline: float
    bars: tuple[Bar, ...]
    empty: bool


@dataclass(frozen=True)
class Cell:
    x: float
    y: float
    size: float
    shade: float  # 0..1 opacity of the accent colour
    title: str


@dataclass(frozen=True)
class HeatMap:
    width: int
    height: int
    cells: tuple[Cell, ...]
    rows: tuple[tuple[float, str], ...]  # (y, weekday)
    columns: tuple[tuple[float, str], ...]  # (x, hour)


def bar_chart(
    points: Sequence[tuple[str, float | None]],
    *,
    width: int = 520,
    height: int = 200,
    maximum: float | None = None,
    unit: str = "",
) -> BarChart:
    """One bar per (label, value); None draws no bar (no data), 0 a flat one."""
    top, bottom, side = 18.0, 22.0, 6.0
    plot = height - top - bottom
    peak = maximum if maximum is not None else max((v or 0 for _, v in points), default=0)
    slot = (width - 2 * side) / max(len(points), 1)
    bars = []
    for index, (label, value) in enumerate(points):
        size = 0.0 if not value or peak <= 0 else plot * min(value, peak) / peak
        text = "–" if value is None else german_number(value) + unit
        bars.append(
            Bar(
                x=round(side + index * slot + slot * 0.15, 1),
                y=round(top + plot - size, 1),
                width=round(slot * 0.7, 1),
                height=round(size, 1),
                label=label,
                value=text,
            )
        )
    empty = all(not v for _, v in points)
    return BarChart(width, height, top + plot, tuple(bars), empty)


def heat_map(
    matrix: Sequence[Sequence[int]], weekdays: Sequence[str], *, cell: float = 19.0
) -> HeatMap:
    left, top = 34.0, 16.0
    peak = max((max(row, default=0) for row in matrix), default=0)
    cells = []
    for day, row in enumerate(matrix):
        for hour, count in enumerate(row):
            cells.append(
                Cell(
                    x=left + hour * cell,
                    y=top + day * cell,
                    size=cell - 2,
                    shade=0.0
                    if peak == 0
                    else round(0.08 + 0.92 * count / peak, 3)
                    if count
                    else 0.0,
                    title=f"{weekdays[day]} {hour:02d}:00 – {german_number(count)} calls",
                )
            )
    rows = tuple((top + d * cell + cell * 0.65, weekdays[d]) for d in range(len(matrix)))
    columns = tuple((left + h * cell + 2, f"{h:02d}") for h in range(0, 24, 3))
    width = int(left + 24 * cell + 4)
    height = int(top + len(matrix) * cell + 4)
    return HeatMap(width, height, tuple(cells), rows, columns)
