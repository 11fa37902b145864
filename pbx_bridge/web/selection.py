"""Query-string filters shared by pages, exports and the API, read strictly: a bad value is
a 400 with a one-line reason, never a stack trace."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from starlette.exceptions import HTTPException

from pbx_bridge.cli.db import parse_day
from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.named_periods import PERIODS, Period, named_period

MAX_DAYS = 3 * 366 + 1  # a custom period: at most three years
MAX_TEXT = 128


def text(params: Mapping[str, str], key: str) -> str | None:
    value = params.get(key)
    if value is None or not value.strip():
        return None
    if len(value) > MAX_TEXT:
        raise HTTPException(400, f"{key} is too long")
    return value.strip()


def day(params: Mapping[str, str], key: str, *, last: bool = False) -> date | None:
    value = text(params, key)
    if value is None:
        return None
    try:
        return parse_day(value, last=last)
    except ValueError as error:
        raise HTTPException(400, f"{key}: {error}") from None


def period(params: Mapping[str, str], today: date, default: str = "this-month") -> Period:
    """`period=this-month|…` or `from`/`to` (both needed for a custom period)."""
    first, last = day(params, "from"), day(params, "to", last=True)
    if first is not None or last is not None:
        if first is None or last is None:
            raise HTTPException(400, "a custom period needs both from and to")
        if last < first:
            raise HTTPException(400, f"to {last} is before from {first}")
        if (last - first).days >= MAX_DAYS:
            raise HTTPException(400, "a custom period covers at most three years")
        return Period(first, last)
    name = text(params, "period") or default
    if name not in PERIODS:
        raise HTTPException(400, f"period must be one of {', '.join(PERIODS)}")
    return named_period(name, today)


def outcome(params: Mapping[str, str]) -> Outcome | None:
    value = text(params, "outcome")
    if value is None:
        return None
    try:
        return Outcome(value)
    except ValueError:
        raise HTTPException(400, f"outcome must be one of {', '.join(Outcome)}") from None


def positive(params: Mapping[str, str], key: str, default: int, maximum: int) -> int:
    value = text(params, key)
    if value is None:
        return default
    if not value.isdigit() or not 1 <= int(value) <= maximum:
        raise HTTPException(400, f"{key} must be a whole number from 1 to {maximum}")
    return int(value)


@dataclass(frozen=True)
class CallFilter:
    tenant: str | None  # as asked: a tenant id, 'all' or None
    first: date | None
    last: date | None
    outcome: Outcome | None
    department: str | None


def call_filter(params: Mapping[str, str]) -> CallFilter:
    first, last = day(params, "from"), day(params, "to", last=True)
    if first is not None and last is not None and last < first:
        raise HTTPException(400, f"to {last} is before from {first}")
    single = day(params, "day")
    if single is not None:
        first = last = single
    return CallFilter(
        tenant=text(params, "tenant"),
        first=first,
        last=last,
        outcome=outcome(params),
        department=text(params, "department"),
    )
