"""The small language admins write hours in: day keys and "HH:MM-HH:MM, HH:MM-HH:MM"."""

from __future__ import annotations

import itertools
import re

from pbx_bridge.core.schedule import MINUTES_PER_DAY, WEEKDAY_NAMES, TimeRange

CLOSED_WORDS = frozenset({"closed", "geschlossen", "-"})
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def parse_day_key(key: str) -> tuple[int, ...]:
    """'mon' -> (0,), 'mon-fri' -> (0..4); weekdays 0=Monday."""
    text = key.strip().lower()
    if "-" in text:
        first, _, last = text.partition("-")
        start, end = _weekday(first), _weekday(last)
        if end < start:
            raise ValueError(
                f"day range {key!r} runs backwards; write it from Monday towards Sunday"
            )
        return tuple(range(start, end + 1))
    return (_weekday(text),)


def _weekday(name: str) -> int:
    name = name.strip()
    if name not in WEEKDAY_NAMES:
        raise ValueError(f"unknown weekday {name!r} (use {', '.join(WEEKDAY_NAMES)})")
    return WEEKDAY_NAMES.index(name)


def parse_minute(text: str, *, allow_24: bool) -> int:
    match = _TIME.match(text)
    if not match:
        raise ValueError(f"{text.strip()!r} is not a time of day (HH:MM)")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not allow_24)):
        raise ValueError(f"{text.strip()!r} is not a time of day (00:00 to 24:00)")
    return hours * 60 + minutes


def parse_ranges(text: str) -> tuple[TimeRange, ...]:
    """'08:00-12:00, 13:00-16:00' -> two ranges; 'closed' -> none. Ranges must not overlap."""
    stripped = text.strip()
    if stripped.lower() in CLOSED_WORDS:
        return ()
    ranges: list[TimeRange] = []
    for part in stripped.split(","):
        start_text, sep, end_text = part.partition("-")
        if not sep:
            raise ValueError(f"{part.strip()!r} is not a time range (HH:MM-HH:MM)")
        start = parse_minute(start_text, allow_24=False)
        end = parse_minute(end_text, allow_24=True)
        if end <= start:
            raise ValueError(f"time range {part.strip()!r} ends before it starts")
        ranges.append(TimeRange(start, min(end, MINUTES_PER_DAY)))
    ranges.sort()
    for earlier, later in itertools.pairwise(ranges):
        if later.start < earlier.end:
            raise ValueError(f"time ranges {earlier} and {later} overlap")
    return tuple(ranges)
