"""When a closure ends, from what a supervisor types: `--until 14:00`, `--until
2026-12-03T14:00` or `--for 2h`. Pure: `now` is given. Ends fall on whole minutes (rounded
up), the grain of every routing decision."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?:in)?)?$")
_CLOCK = re.compile(r"^\d{1,2}:\d{2}$")
MAX_CLOSURE = timedelta(days=366)


def parse_duration(text: str) -> timedelta:
    """'2h', '90m', '1d', '1h30m' -> that long; anything else raises ValueError."""
    match = _DURATION.match(text.strip().lower())
    if not text.strip() or match is None or not any(match.groups()):
        raise ValueError(f"--for {text!r} is not a duration such as 2h, 90m, 1d or 1h30m")
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    length = timedelta(days=days, hours=hours, minutes=minutes)
    if not length:
        raise ValueError(f"--for {text!r} is no time at all")
    return length


def parse_until(text: str, now: datetime) -> datetime:
    """'14:00' is today at 14:00 in `now`'s zone; '2026-12-03T14:00' is that local time
    (or the instant, with an offset)."""
    zone = now.tzinfo
    stripped = text.strip()
    try:
        if _CLOCK.match(stripped):
            hours, minutes = (int(part) for part in stripped.split(":"))
            return datetime.combine(now.date(), time(hours, minutes), zone)
        value = datetime.fromisoformat(stripped)
    except ValueError:
        raise ValueError(
            f"--until {text!r} is not a time (14:00) or a date and time (2026-12-03T14:00)"
        ) from None
    return value.replace(tzinfo=zone) if value.tzinfo is None else value


def closure_end(now: datetime, until: str | None, length: str | None) -> datetime | None:
    """The end of a closure made at `now` (None: until opened again). ValueError with a
    sentence for the supervisor when the end is in the past or absurdly far."""
    if until is None and length is None:
        return None
    if until is not None and length is not None:
        raise ValueError("give either --until or --for, not both")
    end = parse_until(until, now) if until is not None else now + parse_duration(str(length))
    end = _whole_minute_up(end)
    if end <= now:
        shown = end.astimezone(now.tzinfo).strftime("%Y-%m-%d %H:%M")
        raise ValueError(
            f"--until {until} is in the past ({shown}; it is {now:%Y-%m-%d %H:%M} now)"
        )
    if end - now > MAX_CLOSURE:
        raise ValueError("a closure longer than a year belongs in the calendar (exceptions:)")
    return end


def _whole_minute_up(instant: datetime) -> datetime:
    floor = instant.replace(second=0, microsecond=0)
    return floor if floor == instant else floor + timedelta(minutes=1)
