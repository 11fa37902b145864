"""Read a call-history CSV, one call per row, into call-log rows or line-numbered errors.

Columns (header required, any order): started, tenant, department, outcome, wait_s, talk_s,
caller, dialled, call_id. Separator `,` or `;` (taken from the header); with `;` a decimal
comma is read too, as German spreadsheets write it.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.numbers import try_normalise
from pbx_bridge.core.privacy import PrivacyPolicy, stored_caller

COLUMNS = (
    "started",
    "tenant",
    "department",
    "outcome",
    "wait_s",
    "talk_s",
    "caller",
    "dialled",
    "call_id",
)
IMPORT_NODE = "import"  # the call log's node for imported history
ANSWERED_OUTCOMES = frozenset({Outcome.RESOLVED, Outcome.TRANSFERRED, Outcome.CALLBACK})
_OUTCOMES = {outcome.value: outcome for outcome in Outcome}
_MAX_WAIT_S = 86_400.0  # no call waits a day: a larger figure is a unit mix-up


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass(frozen=True)
class ImportSettings:
    tenants: Collection[str]  # the tenant ids calls may name
    region: str  # for reading dialled numbers in national notation
    privacy: PrivacyPolicy  # callers are stored no longer than this policy allows


def _seconds(text: str, name: str, decimal_comma: bool) -> float | None:
    text = text.strip()
    if not text:
        return None
    if decimal_comma:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} {text!r} is not a number of seconds") from None
    if not 0 <= value < _MAX_WAIT_S:  # also refuses nan and inf
        raise ValueError(f"{name} {text} is not between 0 and {_MAX_WAIT_S:.0f} seconds")
    return value


def _started(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"started {text!r} is not a date and time like 2019-04-01T09:00:00+02:00"
        ) from None
    if value.utcoffset() is None:
        raise ValueError(f"started {text!r} has no UTC offset (write +01:00, +02:00 or Z)")
    return value


def _caller(text: str, privacy: PrivacyPolicy) -> str | None:
    text = text.strip()
    if not text:
        return None
    if "x" in text.lower():  # already shortened, as the call log stores it
        return text[:32]
    return stored_caller(text, withheld=False, policy=privacy)


def read_row(
    values: dict[str, str], settings: ImportSettings, decimal_comma: bool
) -> dict[str, Any]:
    """The call-log row of one CSV row; ValueError naming the first bad field."""
    started = _started(values["started"])
    outcome = _OUTCOMES.get(values["outcome"].strip())
    if outcome is None:
        raise ValueError(f"unknown outcome {values['outcome']!r} (one of {', '.join(_OUTCOMES)})")
    tenant = values["tenant"].strip() or None
    if tenant is None and outcome is not Outcome.UNROUTED:
        raise ValueError("tenant missing (only an unrouted call has none)")
    if tenant is not None and tenant not in settings.tenants:
        raise ValueError(f"unknown tenant {tenant!r}")
    call_id = values["call_id"].strip()
    if not call_id or len(call_id) > 64:
        raise ValueError("call_id missing or longer than 64 characters")
    department = values["department"].strip() or None
    if department is not None and len(department) > 128:
        raise ValueError("department longer than 128 characters")
    wait = _seconds(values["wait_s"], "wait_s", decimal_comma)
    talk = _seconds(values["talk_s"], "talk_s", decimal_comma)
    dialled_text = values["dialled"].strip()
    dialled = try_normalise(dialled_text, settings.region) if dialled_text else None
    if dialled_text and dialled is None:
        raise ValueError(f"dialled {dialled_text!r} is not a phone number")
    answered = started + timedelta(seconds=wait or 0.0) if outcome in ANSWERED_OUTCOMES else None
    return {
        "node": IMPORT_NODE,
        "call_id": call_id,
        "tenant": tenant,
        "department": department,
        "outcome": outcome.value,
        "started": started,
        "ended": started + timedelta(seconds=(wait or 0.0) + (talk or 0.0)),
        "answered": answered,
        "wait_s": wait,
        "talk_s": talk,
        "caller": _caller(values["caller"], settings.privacy),
        "dialled": dialled,
        "decided_by": IMPORT_NODE,
        "tracked_outcome": outcome.value,
        "tracked_department": department,
    }


def read_calls(
    lines: Iterable[str], settings: ImportSettings
) -> Iterator[dict[str, Any] | RowError]:
    """Each data row as a call-log row, or a RowError (line numbers count from 1, the header)."""
    iterator = iter(lines)
    header_line = next(iterator, "")
    header_text = header_line.lstrip("\ufeff")
    delimiter = ";" if header_text.count(";") > header_text.count(",") else ","
    header = [name.strip() for name in next(csv.reader([header_text], delimiter=delimiter), [])]
    missing = [name for name in COLUMNS if name not in header]
    unknown = [name for name in header if name not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        problems = []
        if missing:
            problems.append(f"missing {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown {', '.join(repr(n) for n in unknown)}")
        if len(set(header)) != len(header):
            problems.append("a column named twice")
        yield RowError(1, f"header: {'; '.join(problems)} (columns: {','.join(COLUMNS)})")
        return
    reader = csv.reader(iterator, delimiter=delimiter)
    decimal_comma = delimiter == ";"
    for fields in reader:
        number = reader.line_num + 1  # the header was line 1; quoted fields may span lines
        if not fields or fields == [""]:
            continue  # blank line
        if len(fields) != len(header):
            yield RowError(number, f"{len(fields)} fields, the header has {len(header)}")
            continue
        try:
            yield read_row(dict(zip(header, fields, strict=True)), settings, decimal_comma)
        except ValueError as error:
            yield RowError(number, str(error))
