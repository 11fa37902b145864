"""The `cdr:` section of bridge.yaml, resolved: where Asterisk's CDR is and how to read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

from pbx_bridge.config.schema import CdrModel, CelModel

# The columns of dialplans/asterisk/cdr_custom.conf.example, in its order.
CUSTOM_COLUMNS = (
    "linkedid",
    "uniqueid",
    "sequence",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "src",
    "dst",
    "dcontext",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "accountcode",
    "userfield",
)

# The fields of dialplans/asterisk/cel_custom.conf.example, in its order.
CEL_COLUMNS = (
    "eventtype", "eventtime", "uniqueid", "linkedid", "channame", "exten", "context", "peer",
    "eventextra",
)  # fmt: skip


@dataclass(frozen=True)
class CelSettings:
    source: str  # csv | database
    zone: ZoneInfo  # of CEL times written without a zone
    path: Path | None = None
    columns: tuple[str, ...] = CEL_COLUMNS
    url: str | None = None
    table: str = "cel"

    def describe(self) -> str:
        return (
            f"CEL {self.path}" if self.source == "csv" else f"CEL table {self.table} at {self.url}"
        )


@dataclass(frozen=True)
class CdrSettings:
    source: str  # csv | database
    zone: ZoneInfo  # of CDR times written without a zone (cdr_csv's, a DATETIME column)
    path: Path | None = None
    columns: tuple[str, ...] = CUSTOM_COLUMNS
    url: str | None = None
    table: str = "cdr"
    lookback_hours: int = 26  # how far back each reconciliation looks
    nightly_at: time = time(3, 30)  # local time of the nightly reconciliation
    delay_s: float = 30.0  # after an AMI login: the tracker's resync and flush come first
    cel: CelSettings | None = None  # Asterisk's CEL, where configured

    def describe(self) -> str:
        return f"{self.path}" if self.source == "csv" else f"table {self.table} at {self.url}"


def cdr_settings(config_path: Path, model: CdrModel | None, zone: ZoneInfo) -> CdrSettings | None:
    if model is None:
        return None
    hour, minute = (int(part) for part in model.nightly_at.split(":"))
    cdr_zone = ZoneInfo(model.timezone) if model.timezone else zone
    return CdrSettings(
        source=model.source,
        zone=cdr_zone,
        path=(config_path.parent / model.path).resolve() if model.path else None,
        columns=tuple(c.lower() for c in model.columns) if model.columns else CUSTOM_COLUMNS,
        url=model.url,
        table=model.table,
        lookback_hours=model.lookback_hours,
        nightly_at=time(hour, minute),
        delay_s=model.delay_s,
        cel=_cel_settings(config_path, model.cel, cdr_zone),
    )


def _cel_settings(config_path: Path, model: CelModel | None, zone: ZoneInfo) -> CelSettings | None:
    if model is None:
        return None
    return CelSettings(
        source=model.source,
        zone=ZoneInfo(model.timezone) if model.timezone else zone,
        path=(config_path.parent / model.path).resolve() if model.path else None,
        columns=tuple(c.lower() for c in model.columns) if model.columns else CEL_COLUMNS,
        url=model.url,
        table=model.table,
    )
