"""Which monthly reports went to which address: sent once, failures kept for the next run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from pbx_bridge.storage.models import report_deliveries
from pbx_bridge.storage.purged_months import tenant_key
from pbx_bridge.storage.upsert import upsert

SENT = "sent"
FAILED = "failed"


@dataclass(frozen=True)
class DeliveryState:
    tenant: str | None
    month: str
    address: str
    status: str  # sent | failed
    attempts: int
    last_attempt: datetime
    error: str | None


def states(connection: Connection) -> list[DeliveryState]:
    d = report_deliveries.c
    rows = connection.execute(select(report_deliveries).order_by(d.month, d.tenant, d.address))
    return [
        DeliveryState(
            row.tenant or None,
            row.month,
            row.address,
            row.status,
            row.attempts,
            row.last_attempt,
            row.error,
        )
        for row in rows
    ]


def record_attempt(
    connection: Connection,
    tenant: str | None,
    month: str,
    address: str,
    *,
    at: datetime,
    error: str | None,
) -> None:
    """A send attempt: sent when `error` is None, else failed with the reason."""
    values = {
        "tenant": tenant_key(tenant),
        "month": month,
        "address": address,
        "status": SENT if error is None else FAILED,
        "attempts": 1,
        "last_attempt": at,
        "sent_at": at if error is None else None,
        "error": error,
    }

    def update(excluded: Any) -> dict[str, Any]:
        kept = ("status", "last_attempt", "sent_at", "error")
        return {name: excluded[name] for name in kept} | {
            "attempts": report_deliveries.c.attempts + 1
        }

    upsert(connection, report_deliveries, values, ("tenant", "month", "address"), update)
