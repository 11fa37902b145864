"""Weekly service hours as spoken German, for announcements a caller hears once and must understand.

Written for the ear, not the eye: "montags bis mittwochs von 8 bis 17 Uhr" rather than
"Mo–Mi 08:00–17:00", because espeak-ng reads digits and abbreviations literally.
"""

from __future__ import annotations

from collections.abc import Sequence

from pbx_bridge.core.schedule import MINUTES_PER_DAY, TimeRange

# Adverbial forms: "montags" says "every Monday", which is what regular hours mean.
DAY_ADVERBS = (
    "montags",
    "dienstags",
    "mittwochs",
    "donnerstags",
    "freitags",
    "samstags",
    "sonntags",
)


def describe_weekly_hours(weekly: Sequence[tuple[TimeRange, ...]]) -> str | None:
    """'montags bis freitags von 7 bis 18 Uhr', or None when the week has no hours at all."""
    groups: dict[tuple[TimeRange, ...], list[int]] = {}
    for day, ranges in enumerate(weekly):
        if ranges:
            groups.setdefault(tuple(sorted(ranges)), []).append(day)
    if not groups:
        return None
    # dicts keep insertion order, so groups come in order of their first day.
    phrases = [f"{_days_phrase(days)} {_ranges_phrase(ranges)}" for ranges, days in groups.items()]
    # A second "und" between groups would blur which hours belong to which days.
    last_joiner = " sowie " if any(" und " in p for p in phrases) else " und "
    return _join(phrases, last_joiner)


def _days_phrase(days: list[int]) -> str:
    if len(days) == 7:
        return "täglich"
    return _join([_run_phrase(run) for run in _runs(days)], " und ")


def _runs(days: list[int]) -> list[list[int]]:
    """Split sorted weekday numbers into runs of consecutive days."""
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _run_phrase(run: list[int]) -> str:
    first, last = DAY_ADVERBS[run[0]], DAY_ADVERBS[run[-1]]
    if len(run) == 1:
        return first
    # "montags bis dienstags" sounds odd for two days; "montags und dienstags" is what people say.
    return f"{first} und {last}" if len(run) == 2 else f"{first} bis {last}"


def _ranges_phrase(ranges: tuple[TimeRange, ...]) -> str:
    if ranges == (TimeRange(0, MINUTES_PER_DAY),):
        return "rund um die Uhr"
    return _join([_range_phrase(r) for r in ranges], " und ")


def _range_phrase(r: TimeRange) -> str:
    # "von 8 bis 17 Uhr": a full-hour start leaves its "Uhr" to the end, as in speech.
    start = _clock(r.start) if r.start % 60 else str(r.start // 60)
    return f"von {start} bis {_clock(r.end)}"


def _clock(minute: int) -> str:
    hours, minutes = divmod(minute, 60)
    return f"{hours} Uhr {minutes}" if minutes else f"{hours} Uhr"


def _join(parts: Sequence[str], last_joiner: str) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + last_joiner + parts[-1]
