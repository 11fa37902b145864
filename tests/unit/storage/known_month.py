"""A month whose 115 figures are known in advance: 75.0 % answered within 30 s, 60.0 % within
20 s, 65.0 % resolved at the first contact, on each of its two busy days."""

from __future__ import annotations

from pbx_bridge.core.calls import CallRecord, Outcome
from tests.unit.storage.builders import answered, unanswered

# Per day: 100 offered calls (80 answered, 20 abandoned after 40 s) and 5 closed ones.
# Answered: 60 after 10 s, 15 after 25 s, 5 after 45 s; 52 resolved, 16 transferred, 12 callback.
DAYS = ("2019-11-04", "2019-11-12")  # Monday of ISO week 45, Tuesday of week 46
WAITS = [10.0] * 60 + [25.0] * 15 + [45.0] * 5
OUTCOMES = [Outcome.RESOLVED] * 52 + [Outcome.TRANSFERRED] * 16 + [Outcome.CALLBACK] * 12


def known_month(tenant: str = "gifhorn") -> list[CallRecord]:
    records: list[CallRecord] = []
    for day in DAYS:
        # Outcomes interleave with waits, so no outcome is tied to one wait.
        for index, (wait, outcome) in enumerate(zip(WAITS, OUTCOMES[::-1], strict=True)):
            started = f"{day}T{8 + index // 20:02d}:{index % 20 * 3:02d}"
            records.append(
                answered(
                    f"{tenant}-{day}-a{index}", started, wait_s=wait, outcome=outcome, tenant=tenant
                )
            )
        for index in range(20):
            started = f"{day}T13:{index * 2:02d}"
            records.append(
                unanswered(
                    f"{tenant}-{day}-x{index}",
                    Outcome.ABANDONED,
                    started,
                    wait_s=40.0,
                    tenant=tenant,
                )
            )
        for index in range(5):
            started = f"{day}T19:{index * 5:02d}"
            records.append(
                unanswered(
                    f"{tenant}-{day}-c{index}", Outcome.CLOSED, started, wait_s=None, tenant=tenant
                )
            )
    return records
