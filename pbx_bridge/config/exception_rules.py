"""`exceptions:` lists (a tenant's, or the center's in bridge.yaml) to core ExceptionDays.

Each finding names the line of the key it is about; `error(path, message)` takes the path
of that key within the list (e.g. (2, "to")) and prefixes it where the list lives.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pydantic import ValidationError

from pbx_bridge.config.hours_syntax import parse_ranges
from pbx_bridge.config.schema import ExceptionModel
from pbx_bridge.core.exception_days import (
    DatedException,
    ExceptionDays,
    RangeException,
    YearlyException,
)

ReportError = Callable[[tuple[str | int, ...], str], None]


def valid_entries(raw: object) -> list[tuple[int, ExceptionModel]]:
    """The entries of a raw `exceptions:` list that are structurally valid, with their index.

    A file with a structural error elsewhere (or in one entry) is checked entry by entry, so
    the meaning errors of the others still show in the same run; the structural errors
    themselves were reported for the whole file.
    """
    if not isinstance(raw, list):
        return []
    out: list[tuple[int, ExceptionModel]] = []
    for index, item in enumerate(raw):
        try:
            out.append((index, ExceptionModel.model_validate(item)))
        except ValidationError:
            continue
    return out


def build_exception_days(
    entries: list[tuple[int, ExceptionModel]],
    error: ReportError,
    line_of: Callable[[int], int],
) -> ExceptionDays:
    """The exceptions that are valid; every invalid entry is reported through `error`.

    `entries` are (index in the list, entry); `line_of(index)` is the line of an entry, for
    messages that point at another entry.
    """
    dated: dict[date, DatedException] = {}
    yearly: dict[tuple[int, int], YearlyException] = {}
    ranges: list[tuple[int, RangeException]] = []
    for index, entry in entries:
        try:
            hours = parse_ranges(entry.hours)
        except ValueError as exc:
            error((index, "hours"), f"exception {_name(entry)}: {exc}")
            continue
        if not _one_form(index, entry, error):
            continue
        if isinstance(entry.date, date):
            if entry.date in dated:
                error((index, "date"), f"exception date {entry.date} is listed twice")
                continue
            dated[entry.date] = DatedException(entry.date, hours, entry.reason)
        elif entry.date is not None:
            month, day = entry.date
            if (month, day) in yearly:
                error((index, "date"), f"yearly exception {month:02d}-{day:02d} is listed twice")
                continue
            yearly[(month, day)] = YearlyException(month, day, hours, entry.reason)
        else:
            assert entry.from_ is not None and entry.to is not None  # by _one_form
            if entry.to < entry.from_:
                error(
                    (index, "to"),
                    f"exception range ends ({entry.to}) before it starts ({entry.from_})",
                )
                continue
            span = RangeException(entry.from_, entry.to, hours, entry.reason)
            clash = next(((i, r) for i, r in ranges if r.overlaps(span)), None)
            if clash is not None:
                error(
                    (index, "from"),
                    f"exception range {span} overlaps range {clash[1]} "
                    f"(line {line_of(clash[0])}); a day can have one range only",
                )
                continue
            ranges.append((index, span))
    return ExceptionDays(dated, yearly, tuple(r for _, r in ranges))


def _one_form(index: int, entry: ExceptionModel, error: ReportError) -> bool:
    has_range = entry.from_ is not None or entry.to is not None
    if entry.date is not None and has_range:
        error((index, "date"), "an exception has either date: or from:/to:, not both")
        return False
    if entry.date is None and not has_range:
        error((index,), "an exception needs date: (YYYY-MM-DD or MM-DD) or from: and to:")
        return False
    if has_range and (entry.from_ is None or entry.to is None):
        missing = "to" if entry.to is None else "from"
        error((index,), f"an exception range needs both from: and to: ({missing}: is missing)")
        return False
    return True


def _name(entry: ExceptionModel) -> str:
    if isinstance(entry.date, date):
        return str(entry.date)
    if entry.date is not None:
        return f"{entry.date[0]:02d}-{entry.date[1]:02d}"
    return f"{entry.from_}..{entry.to}"
