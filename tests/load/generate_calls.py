"""Generate a synthetic call log quickly (Core executemany), for benchmarks and report tests.

    python -m tests.load.generate_calls --url sqlite:///var/bench.sqlite3 --years 10

Counts are exact: each tenant gets exactly its calls, departments get exactly their counts and
outcome shares are rounded once per tenant (largest remainder), so a report can be checked
against the numbers put in. Times are random within the service hours of weekdays.
"""

from __future__ import annotations

import argparse
import random
import sys
import time as clock
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert

from pbx_bridge.core.calls import Outcome
from pbx_bridge.storage import CallLog
from pbx_bridge.storage.models import calls

BERLIN = ZoneInfo("Europe/Berlin")
CHUNK = 20_000

# Roughly the mix of a service center (domain.md: Gifhorn's first nine months).
DEFAULT_OUTCOMES: Mapping[Outcome, float] = {
    Outcome.RESOLVED: 0.58,
    Outcome.TRANSFERRED: 0.15,
    Outcome.CALLBACK: 0.15,
    Outcome.ABANDONED: 0.06,
    Outcome.OVERFLOW: 0.01,
    Outcome.CLOSED: 0.045,
    Outcome.FAILED: 0.005,
}


@dataclass(frozen=True)
class TenantMix:
    tenant: str | None  # None: unrouted calls
    departments: Mapping[str | None, int]  # exact number of calls per department
    outcomes: Mapping[Outcome, float] = field(default_factory=lambda: dict(DEFAULT_OUTCOMES))

    @property
    def calls(self) -> int:
        return sum(self.departments.values())


def exact_counts(total: int, shares: Mapping[Outcome, float]) -> dict[Outcome, int]:
    """Split `total` by `shares` into whole numbers that add up to `total` (largest remainder)."""
    weight = sum(shares.values())
    raw = {key: total * share / weight for key, share in shares.items()}
    counts = {key: int(value) for key, value in raw.items()}
    by_remainder = sorted(raw, key=lambda key: raw[key] - counts[key], reverse=True)
    for key in by_remainder[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def _weekdays(first: date, last: date) -> list[date]:
    days = (first + timedelta(n) for n in range((last - first).days + 1))
    return [day for day in days if day.weekday() < 5]


def _row(
    rng: random.Random,
    *,
    call_id: str,
    node: str,
    tenant: str | None,
    department: str | None,
    outcome: Outcome,
    day: date,
    zone: ZoneInfo,
) -> dict[str, Any]:
    closed = outcome is Outcome.CLOSED
    # Open 07:00-18:00; closed calls come in the evening, when the center is shut.
    minute = rng.randrange(18 * 60, 21 * 60) if closed else rng.randrange(7 * 60, 18 * 60)
    local = datetime.combine(day, time(minute // 60, minute % 60, rng.randrange(60)), zone)
    started = local.astimezone(UTC)
    row: dict[str, Any] = {
        "node": node,
        "call_id": call_id,
        "tenant": tenant,
        "department": department,
        "tracked_department": department,
        "outcome": outcome.value,
        "tracked_outcome": outcome.value,
        "started": started,
        "queued": None,
        "answered": None,
        "wait_s": None,
        "talk_s": None,
        "caller": f"+49537{rng.randrange(10**6):06d}xxx",
        "agent": None,
        "decided_by": "daemon",
    }
    if closed or outcome is Outcome.UNROUTED:
        row["ended"] = started + timedelta(seconds=20)
        return row
    queued = started + timedelta(seconds=6)
    if outcome in (Outcome.RESOLVED, Outcome.TRANSFERRED, Outcome.CALLBACK):
        wait = round(min(rng.expovariate(1 / 15), 240.0), 1)
        talk = round(rng.uniform(40, 420), 1)
        answered = queued + timedelta(seconds=wait)
        row.update(queued=queued, answered=answered, wait_s=wait, talk_s=talk)
        row["ended"] = answered + timedelta(seconds=talk)
        row["agent"] = f"agent{rng.randrange(1, 23):02d}"
        return row
    wait = 300.0 if outcome is Outcome.OVERFLOW else round(rng.uniform(1, 120), 1)
    row.update(queued=queued, wait_s=wait, ended=queued + timedelta(seconds=wait))
    return row


def rows_for(
    mix: TenantMix,
    first: date,
    last: date,
    *,
    seed: int,
    node: str = "gen",
    zone: ZoneInfo = BERLIN,
) -> Iterator[dict[str, Any]]:
    rng = random.Random(f"{seed}-{mix.tenant}")
    days = _weekdays(first, last)
    departments = [dept for dept, count in mix.departments.items() for _ in range(count)]
    outcomes = [o for o, n in exact_counts(mix.calls, mix.outcomes).items() for _ in range(n)]
    rng.shuffle(outcomes)
    for index, (department, outcome) in enumerate(zip(departments, outcomes, strict=True)):
        call_id = f"{seed}.{mix.tenant or 'unrouted'}.{first:%Y%m%d}.{index}"
        yield _row(
            rng,
            call_id=call_id,
            node=node,
            tenant=mix.tenant,
            department=department,
            outcome=outcome,
            day=rng.choice(days),
            zone=zone,
        )


def generate(
    engine: Engine,
    mixes: list[TenantMix],
    first: date,
    last: date,
    *,
    seed: int = 1,
    zone: ZoneInfo = BERLIN,
) -> int:
    """Insert the calls of `mixes` for the local dates first..last; returns the count.

    Rows go in in the order calls start, as the daemon writes them, so the table's physical
    order follows time like a real call log's does.
    """
    rows = [row for mix in mixes for row in rows_for(mix, first, last, seed=seed, zone=zone)]
    rows.sort(key=lambda row: row["started"])
    with engine.begin() as connection:
        for offset in range(0, len(rows), CHUNK):
            connection.execute(insert(calls), rows[offset : offset + CHUNK])
    total = len(rows)
    return total


# A 150,000-call center (Wolfsburg, domain.md) with its tenants' shares of the traffic.
CENTER_SHARES: Mapping[str | None, tuple[float, tuple[str, ...]]] = {
    "wolfsburg": (0.42, ("Zentrale", "115", "Bürgerbüro")),
    "gifhorn": (0.24, ("Zentrale", "Kfz-Zulassung", "Ordnung, Verkehr und Veterinärwesen")),
    "meinersen": (0.08, ("Zentrale",)),
    "isenbuettel": (0.07, ("Zentrale",)),
    "hankensbuettel": (0.06, ("Zentrale",)),
    "uetze": (0.07, ("Zentrale",)),
    "abfallwirtschaft": (0.05, ("Zentrale", "Abfuhr")),
    None: (0.01, (None,)),  # type: ignore[dict-item]
}


def center_year(calls_per_year: int) -> list[TenantMix]:
    mixes = []
    for tenant, (share, departments) in CENTER_SHARES.items():
        count = round(calls_per_year * share)
        per_department = exact_counts(count, dict.fromkeys(departments, 1.0))  # type: ignore[arg-type]
        outcomes = {Outcome.UNROUTED: 1.0} if tenant is None else dict(DEFAULT_OUTCOMES)
        mixes.append(TenantMix(tenant, per_department, outcomes))  # type: ignore[arg-type]
    return mixes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of the database to fill")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--first-year", type=int, default=2015)
    parser.add_argument("--calls-per-year", type=int, default=150_000)
    args = parser.parse_args(argv)
    log = CallLog(args.url)
    log.upgrade()
    started = clock.perf_counter()
    total = 0
    for year in range(args.first_year, args.first_year + args.years):
        total += generate(
            log.engine,
            center_year(args.calls_per_year),
            date(year, 1, 1),
            date(year, 12, 31),
            seed=year,
        )
    elapsed = clock.perf_counter() - started
    print(f"generated {total:,} calls in {elapsed:.1f} s ({total / elapsed:,.0f} calls/s)")
    log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
