"""The call log's side of a reconciliation: its calls of one node that started in a period."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, select

from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.cdr_audit import LoggedCall
from pbx_bridge.storage.models import calls

# A call's record starts at its first AMI event, its CDR at the channel's creation: the two
# may straddle a bound by a moment. Rows are matched by call id, so a wider read is harmless.
_MARGIN = timedelta(minutes=5)


def logged_calls(
    engine: Engine, node: str | None, since: datetime, until: datetime, *, margin: bool = True
) -> dict[str, LoggedCall]:
    """Call id -> the logged call, for calls of `node` (None: every node) started in
    [since, until), widened by a few minutes when `margin` (for matching, not counting)."""
    extra = _MARGIN if margin else timedelta(0)
    query = select(
        calls.c.call_id,
        calls.c.started,
        calls.c.tracked_outcome,
        calls.c.tenant,
        calls.c.detail,
        calls.c.source,
    ).where(calls.c.started >= since - extra, calls.c.started < until + extra)
    if node is not None:
        query = query.where(calls.c.node == node)
    with engine.connect() as connection:
        return {
            row.call_id: LoggedCall(
                call_id=row.call_id,
                started=row.started,
                tracked_outcome=Outcome(row.tracked_outcome),
                tenant=row.tenant,
                detail=row.detail,
                source=row.source,
            )
            for row in connection.execute(query)
        }
