"""Reconciliation: every call Asterisk's CDR has and the call log lacks gets its record, and a
record the tracker could only guess (its call ended while AMI was down) is corrected.

Idempotent: records are written by (node, Linkedid), the key the tracker writes, so a call
has one record however often this runs and whoever writes first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pbx_bridge.cdr.cel_sources import CelSource
from pbx_bridge.cdr.logged import logged_calls
from pbx_bridge.cdr.sources import CdrSource
from pbx_bridge.core.calls import CallRecord
from pbx_bridge.core.cdr_audit import needs_writing
from pbx_bridge.core.cdr_outcomes import records_of
from pbx_bridge.core.cel_transfers import with_transfers
from pbx_bridge.core.privacy import PrivacyPolicy
from pbx_bridge.storage.calllog import CallLog

BATCH = 500  # records per transaction
# A call's transfer comes after its start: CEL is read this much past the period.
CEL_AFTER = timedelta(hours=12)


@dataclass(frozen=True)
class Reconciled:
    cdr_calls: int  # the center's calls in the CDR for the period
    missing: list[CallRecord]  # written: the log had no record
    corrected: list[CallRecord]  # written over a guessed record


def reconcile(
    source: CdrSource,
    call_log: CallLog,
    node: str,
    *,
    privacy: PrivacyPolicy,
    region: str,
    since: datetime,
    until: datetime,
    cel: CelSource | None = None,
) -> Reconciled:
    """Read the CDR (and CEL, where configured) for calls started in [since, until) and
    write what the log lacks.

    Raises CdrSourceError for a bad source (CelSourceError is one) and the database's errors
    when it is down: nothing is written then, and the next run catches up.
    """
    records = asterisk_records(
        source, cel, node, privacy=privacy, region=region, since=since, until=until
    )
    logged = logged_calls(call_log.engine, node, since, until)
    missing: list[CallRecord] = []
    corrected: list[CallRecord] = []
    for record in records:
        why = needs_writing(record, logged.get(record.call_id))
        if why == "missing":
            missing.append(record)
        elif why == "corrected":
            corrected.append(record)
    if missing:
        # The tracker may have written some meanwhile (its restored records, a late flush):
        # its record of a call it followed is the better one, so it is not overwritten.
        now_logged = logged_calls(call_log.engine, node, since, until)
        missing = [record for record in missing if record.call_id not in now_logged]
    _write(call_log, [*missing, *corrected])
    return Reconciled(len(records), missing, corrected)


def asterisk_records(
    source: CdrSource,
    cel: CelSource | None,
    node: str,
    *,
    privacy: PrivacyPolicy,
    region: str,
    since: datetime,
    until: datetime,
) -> list[CallRecord]:
    """The center's calls started in [since, until) as Asterisk's CDR and CEL tell them."""
    records = records_of(source.rows(since, until), node, privacy, region)
    if cel is None or not records:
        return records
    return with_transfers(records, cel.transfers(since, until + CEL_AFTER))


def _write(call_log: CallLog, records: Sequence[CallRecord]) -> None:
    for start in range(0, len(records), BATCH):
        call_log.write_records(records[start : start + BATCH])
