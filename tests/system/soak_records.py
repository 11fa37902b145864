"""The soak's and fault scenarios' checks of the call log: exactly one record per planned
call, with its planned outcome (callers are matched by their shortened number)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.system.soak_bed import Planned


def stored_key(stored_caller: object) -> str | None:
    """The per-call key of a stored (shortened) caller number."""
    if not isinstance(stored_caller, str) or not stored_caller.endswith("xxx"):
        return None
    return stored_caller[:-3]


def records(database: Path) -> list[dict[str, Any]]:
    if not database.exists():
        return []
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
        db.row_factory = sqlite3.Row
        try:
            return [dict(row) for row in db.execute("SELECT * FROM calls ORDER BY id")]
        except sqlite3.OperationalError:
            return []


def count_rows(database: Path, table: str) -> int:
    if not database.exists():
        return 0
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
        try:
            row = db.execute(f"SELECT count(*) FROM {table}").fetchone()
        except sqlite3.OperationalError:
            return 0
    return int(row[0])


def wait_for_count(
    count_now: Any, expected: int, timeout: float, settle: float = 2.0
) -> tuple[int, float]:
    """Poll `count_now()` until it reaches `expected` (or `timeout`), then wait `settle` more
    seconds for anything beyond it (a duplicate). Returns (count, seconds waited)."""
    start = time.monotonic()
    deadline = start + timeout
    while True:
        now = int(count_now())
        if now >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    waited = time.monotonic() - start
    time.sleep(settle)
    return int(count_now()), waited


# ---- checking the records -----------------------------------------------------------------


@dataclass
class RecordCheck:
    """Each planned call against the records: exactly one, with its expected outcome."""

    planned: int
    stored: int
    missing: list[Planned] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)  # keys with more than one record
    unexpected: list[dict[str, Any]] = field(default_factory=list)  # records of no planned call
    wrong: list[str] = field(default_factory=list)  # "caller kind: expected ..., got ..."
    expected_counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    got_counts: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.duplicated or self.unexpected or self.wrong)

    def problems(self, limit: int = 10) -> list[str]:
        out = [f"missing: {p.caller} ({p.kind.name})" for p in self.missing[:limit]]
        out += [f"duplicated: {key}" for key in self.duplicated[:limit]]
        out += [f"unexpected record: {json.dumps(r, default=str)}" for r in self.unexpected[:3]]
        out += self.wrong[:limit]
        return out


def check_records(
    planned: Sequence[Planned], rows: Sequence[dict[str, Any]], *, outcomes: bool = True
) -> RecordCheck:
    """Match records to planned calls by caller key; `outcomes=False` checks only presence."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    check = RecordCheck(len(planned), len(rows))
    for row in rows:
        key = stored_key(row.get("caller"))
        if key is None:
            check.unexpected.append(row)
            continue
        by_key.setdefault(key, []).append(row)
    keys = {p.key for p in planned}
    check.unexpected += [r for k, rs in by_key.items() if k not in keys for r in rs]
    for item in planned:
        kind = item.kind
        check.expected_counts[(str(kind.tenant), kind.outcome)] += 1
        found = by_key.get(item.key, [])
        if not found:
            check.missing.append(item)
            continue
        if len(found) > 1:
            check.duplicated.append(item.key)
        row = found[0]
        got = (row.get("tenant"), row.get("outcome"))
        check.got_counts[(str(got[0]), str(got[1]))] += 1
        if not outcomes:
            continue
        detail_ok = kind.detail is None or row.get("detail") == kind.detail
        if got != (kind.tenant, kind.outcome) or not detail_ok:
            check.wrong.append(
                f"{item.caller} {kind.name}: expected ({kind.tenant}, {kind.outcome}"
                f"{', ' + kind.detail if kind.detail else ''}), got ({got[0]}, {got[1]}, "
                f"{row.get('detail')}), decided_by {row.get('decided_by')}"
            )
    return check


def counts_table(check: RecordCheck) -> list[str]:
    keys = sorted(set(check.expected_counts) | set(check.got_counts))
    lines = [f"  {'tenant':<12} {'outcome':<12} {'expected':>8} {'stored':>8}"]
    for tenant, outcome in keys:
        expected = check.expected_counts.get((tenant, outcome), 0)
        got = check.got_counts.get((tenant, outcome), 0)
        mark = "" if expected == got else "  <-"
        lines.append(f"  {tenant:<12} {outcome:<12} {expected:>8} {got:>8}{mark}")
    return lines
