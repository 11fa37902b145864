"""The record of mailed reports, on both databases: one row per (tenant, month, address)."""

from __future__ import annotations

from pbx_bridge.storage import CallLog
from tests.unit.core.factories import at


def test_a_failure_then_a_success_leave_one_sent_row_with_two_attempts(call_log: CallLog) -> None:
    call_log.record_delivery(
        "gifhorn", "2026-11", "leitung@gifhorn.example", at=at("2026-12-01T06:00"), error="421"
    )
    call_log.record_delivery(
        None, "2026-11", "center@wolfsburg.example", at=at("2026-12-01T06:00"), error=None
    )
    (center, failed) = call_log.deliveries()
    assert (center.tenant, center.status, center.attempts) == (None, "sent", 1)
    assert (failed.status, failed.attempts, failed.error) == ("failed", 1, "421")
    call_log.record_delivery(
        "gifhorn", "2026-11", "leitung@gifhorn.example", at=at("2026-12-01T07:00"), error=None
    )
    retried = next(s for s in call_log.deliveries() if s.tenant == "gifhorn")
    assert (retried.status, retried.attempts, retried.error) == ("sent", 2, None)
    assert retried.last_attempt == at("2026-12-01T07:00")
