"""`report send`: each configured delivery gets its tenant's month, once per address.

A month already sent to an address is not sent again (unless `again`); a failed attempt is
recorded with its reason and retried by the next run, which also retries failures of earlier
months, so no report is lost silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.config.report_settings import Delivery
from pbx_bridge.core.periods import Period
from pbx_bridge.reporting.figures import as_json
from pbx_bridge.reporting.mail import attachments, compose
from pbx_bridge.reporting.smtp_sender import SmtpSendError
from pbx_bridge.storage import CallLog
from pbx_bridge.storage.deliveries import FAILED, SENT

Send = Callable[[EmailMessage], None]


@dataclass(frozen=True)
class Attempt:
    tenant: str | None
    month: str
    address: str
    error: str | None = None  # None: sent (or, in a dry run, would be sent)


@dataclass
class SendSummary:
    attempts: list[Attempt] = field(default_factory=list)
    already_sent: int = 0

    @property
    def failed(self) -> list[Attempt]:
        return [attempt for attempt in self.attempts if attempt.error is not None]


def last_month(today: date) -> str:
    previous = today.replace(day=1) - timedelta(days=1)
    return f"{previous.year:04d}-{previous.month:02d}"


def month_days(month: str) -> tuple[date, date]:
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    following = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    return first, following - timedelta(days=1)


def months_to_send(log: CallLog, month: str | None, today: date) -> list[str]:
    """The month asked for; by default last month plus every month with a failed delivery."""
    if month is not None:
        return [month]
    retried = {state.month for state in log.deliveries() if state.status == FAILED}
    return sorted(retried | {last_month(today)})


def _title(config: BridgeConfig, tenant: str | None) -> tuple[str, str]:
    """(title, file-name slug) of a delivery's report."""
    if tenant is None:
        return config.directory.center.name, "gesamt"
    found = config.directory.tenant(tenant)
    return (found.name if found else tenant), tenant


def send_reports(
    log: CallLog,
    config: BridgeConfig,
    months: Iterable[str],
    *,
    now: datetime,
    send: Send,
    again: bool = False,
    dry_run: bool = False,
) -> SendSummary:
    summary = SendSummary()
    sent = {
        (state.tenant, state.month, state.address)
        for state in log.deliveries()
        if state.status == SENT
    }
    smtp = config.reports.smtp
    sender = smtp.sender if smtp else "pbx-bridge@localhost"
    for month in months:
        for delivery in config.reports.deliveries:
            due = [
                address
                for address in delivery.to
                if again or (delivery.tenant, month, address) not in sent
            ]
            summary.already_sent += len(delivery.to) - len(due)
            if not due:
                continue
            if dry_run:
                summary.attempts.extend(Attempt(delivery.tenant, month, a) for a in due)
                continue
            built = _build(log, config, delivery, month, now)
            for address in due:
                message = compose(**built, sender=sender, to=address)
                error = _try(send, message)
                log.record_delivery(delivery.tenant, month, address, at=now, error=error)
                summary.attempts.append(Attempt(delivery.tenant, month, address, error))
    return summary


def _build(
    log: CallLog, config: BridgeConfig, delivery: Delivery, month: str, now: datetime
) -> dict[str, Any]:
    """What every address of a delivery receives: the same figures, the same files."""
    first, last = month_days(month)
    # Scoped to the delivery's tenant (and node): no other tenant's calls are in its figures.
    report = log.report(
        tenant=delivery.tenant, first=first, last=last, now=now, by=Period.DAY, node=delivery.node
    )
    data = as_json(report)
    title, slug = _title(config, delivery.tenant)
    if delivery.node is not None:
        file_safe = re.sub(r"[^A-Za-z0-9_.-]", "_", delivery.node)
        title, slug = f"{title} ({delivery.node})", f"{slug}-{file_safe}"
    files = attachments(data, title, month, delivery.formats)
    return {"data": data, "title": title, "month": month, "slug": slug, "files": files}


def _try(send: Send, message: EmailMessage) -> str | None:
    try:
        send(message)
    except SmtpSendError as error:
        return str(error)
    return None
