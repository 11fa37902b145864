"""The `reports:` and `smtp:` sections of bridge.yaml as settings: thresholds and deliveries."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pbx_bridge.config.schema import ReportsModel, SmtpModel
from pbx_bridge.core.kpis import KpiThresholds

ALL_TENANTS = "all"  # a delivery of the whole center's figures
FORMATS = ("pdf", "csv", "xlsx")

# Records a configuration error at the line of a key path.
ErrorAt = Callable[[tuple[str | int, ...], str], None]


@dataclass(frozen=True)
class Delivery:
    tenant: str | None  # None: the whole center
    to: tuple[str, ...]
    formats: tuple[str, ...] = FORMATS
    node: str | None = None  # one Asterisk's calls and tickets; None: every node


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    starttls: bool = True
    username: str | None = None
    password_file: Path | None = None
    ca_file: Path | None = None  # verifies the server instead of the system's CAs
    sender: str = "pbx-bridge@localhost"
    timeout_s: float = 30.0


@dataclass(frozen=True)
class ReportSettings:
    service_level_thresholds_s: tuple[int, ...] = (20,)
    short_abandon_s: int = 5
    tenant_thresholds_s: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    deliveries: tuple[Delivery, ...] = ()
    smtp: SmtpSettings | None = None

    @property
    def service_level_threshold_s(self) -> int:
        return self.service_level_thresholds_s[0]

    def thresholds(self) -> KpiThresholds:
        return KpiThresholds(self.service_level_thresholds_s, self.short_abandon_s)

    def tenant_thresholds(self) -> dict[str, KpiThresholds]:
        return {
            tenant: KpiThresholds(levels, self.short_abandon_s)
            for tenant, levels in self.tenant_thresholds_s.items()
        }


def _unique(levels: list[int]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(levels))


def report_settings(
    reports: ReportsModel,
    smtp: SmtpModel | None,
    base: Path,
    tenant_ids: Collection[str],
    error: ErrorAt,
) -> ReportSettings:
    """Settings from the validated sections; meaning errors go to `error` with their key."""
    if reports.service_level_thresholds_s and reports.service_level_threshold_s:
        error(
            ("reports", "service_level_threshold_s"),
            "give either service_level_threshold_s or service_level_thresholds_s, not both",
        )
    levels = reports.service_level_thresholds_s or [reports.service_level_threshold_s or 20]
    for overridden in reports.tenants:
        if overridden not in tenant_ids:
            error(
                ("reports", "tenants", overridden),
                f"reports.tenants: unknown tenant {overridden!r}",
            )
    deliveries = []
    # What was sent is kept per (tenant, month, address): one node per tenant and address.
    nodes: dict[tuple[str, str], str | None] = {}
    for index, delivery in enumerate(reports.deliveries):
        if delivery.tenant != ALL_TENANTS and delivery.tenant not in tenant_ids:
            error(
                ("reports", "deliveries", index, "tenant"),
                f"reports.deliveries: unknown tenant {delivery.tenant!r} (or 'all')",
            )
        for address in delivery.to:
            if "@" not in address.strip("@") or any(ch.isspace() for ch in address):
                error(
                    ("reports", "deliveries", index, "to"),
                    f"reports.deliveries: {address!r} is not a mail address",
                )
            if nodes.setdefault((delivery.tenant, address), delivery.node) != delivery.node:
                error(
                    ("reports", "deliveries", index, "node"),
                    f"reports.deliveries: {address!r} gets {delivery.tenant!r} for two nodes; "
                    "give each node's report its own address",
                )
        tenant = None if delivery.tenant == ALL_TENANTS else delivery.tenant
        formats = tuple(dict.fromkeys(str(name) for name in delivery.format))
        deliveries.append(Delivery(tenant, tuple(delivery.to), formats, delivery.node))
    if deliveries and smtp is None:
        error(("reports", "deliveries"), "reports.deliveries need an smtp: section")
    return ReportSettings(
        service_level_thresholds_s=_unique(levels),
        short_abandon_s=reports.short_abandon_s,
        tenant_thresholds_s={
            tenant: _unique(model.service_level_thresholds_s)
            for tenant, model in reports.tenants.items()
        },
        deliveries=tuple(deliveries),
        smtp=None if smtp is None else _smtp(smtp, base),
    )


def _smtp(model: SmtpModel, base: Path) -> SmtpSettings:
    password_file = (base / model.password_file).resolve() if model.password_file else None
    ca_file = (base / model.ca_file).resolve() if model.ca_file else None
    return SmtpSettings(
        host=model.host,
        port=model.port,
        starttls=model.starttls,
        username=model.username,
        password_file=password_file,
        ca_file=ca_file,
        sender=model.sender,
        timeout_s=model.timeout_s,
    )
