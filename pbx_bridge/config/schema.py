"""The shape of bridge.yaml and tenant files, checked by pydantic (types, unknown and missing keys).

Meaning (hours, holidays, numbers) is checked afterwards in `loader.py`, where
each finding can be pinned to the line of its key.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

SoundName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
QueueName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
TenantId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Text = Annotated[str, StringConstraints(min_length=1)]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_only(value: object) -> object:
    # pydantic would read a bare number as a Unix timestamp; admins mean a calendar date.
    if isinstance(value, str) and not _ISO_DATE.match(value.strip()):
        raise ValueError(f"write dates as YYYY-MM-DD, not {value!r}")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class CenterModel(_Strict):
    name: Text
    timezone: Text
    country: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] = "DE"
    queue: QueueName
    unrouted_greeting: SoundName
    greeting_text: Text | None = None
    closed_announcement: SoundName = "closed"
    overflow_announcement: SoundName = "overflow"
    queue_timeout: Annotated[int, Field(ge=5, le=3600)] = 300


class AgiModel(_Strict):
    listen: Text = "127.0.0.1:4573"
    allow: list[Text] = []  # Asterisk hosts/networks, required when listen is not loopback
    max_sessions: Annotated[int, Field(ge=1, le=100_000)] = 1000


class MetricsModel(_Strict):
    listen: Text = "127.0.0.1:9464"
    allow: list[Text] = []  # Prometheus hosts/networks, required when listen is not loopback


class AmiModel(_Strict):
    host: Text = "127.0.0.1"
    port: Annotated[int, Field(gt=0, lt=65536)] = 5038
    username: Text = "pbx-bridge"
    secret_file: Text | None = None  # the secret itself never goes into YAML
    secret_env: Text | None = None
    # The call log's name for this Asterisk (records are keyed by node and Linkedid); default
    # `host`. Distinct per Asterisk when several share one call log.
    node: (
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")] | None
    ) = None


class DatabaseModel(_Strict):
    url: Text | None = None  # any SQLAlchemy URL; default: SQLite under state_dir


class PrivacyModel(_Strict):
    shorten_digits: Annotated[int, Field(ge=0, le=8)] = 3
    retention_days: Annotated[int, Field(ge=1)] = 180


class ReportsModel(_Strict):
    service_level_threshold_s: Annotated[int, Field(ge=1, le=600)] = 20
    short_abandon_s: Annotated[int, Field(ge=0, le=60)] = 5


class CdrModel(_Strict):
    """Where Asterisk's CDR is, for reconciliation and `pbx-bridge audit` (pbx_bridge/cdr/)."""

    source: Literal["csv", "database"]
    path: Text | None = None  # csv: the cdr_custom/cdr_csv file, relative to bridge.yaml
    columns: Annotated[list[Text], Field(min_length=2)] | None = None  # csv: column order
    url: Text | None = None  # database: SQLAlchemy URL of the CDR database
    table: Annotated[
        str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
    ] = "cdr"
    timezone: Text | None = None  # of CDR times written without a zone; default the center's
    lookback_hours: Annotated[int, Field(ge=1, le=24 * 31)] = 26
    delay_s: Annotated[float, Field(ge=0, le=3600)] = 30  # after an AMI login, before reading
    nightly_at: Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")] = (
        "03:30"
    )

    @model_validator(mode="after")
    def _source_has_its_location(self) -> CdrModel:
        if self.source == "csv" and not self.path:
            raise ValueError("cdr: source csv needs path (the CDR file Asterisk writes)")
        if self.source == "database" and not self.url:
            raise ValueError("cdr: source database needs url (an SQLAlchemy URL)")
        if self.timezone is not None:
            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"cdr: unknown timezone {self.timezone!r}") from exc
        return self


class BridgeModel(_Strict):
    service_center: CenterModel
    tenants_dir: Text = "tenants"
    sounds_dir: Text = "../sounds"
    state_dir: Text | None = None  # default: $STATE_DIRECTORY (systemd) or ../var
    agi: AgiModel = AgiModel()
    metrics: MetricsModel = MetricsModel()
    ami: AmiModel | None = None  # without it, calls are routed but not tracked
    database: DatabaseModel = DatabaseModel()
    privacy: PrivacyModel = PrivacyModel()
    reports: ReportsModel = ReportsModel()
    cdr: CdrModel | None = None  # without it, the call log is not reconciled with the CDR


class NumberModel(_Strict):
    number: Text
    department: Text = "Zentrale"


class ExceptionModel(_Strict):
    date: IsoDate
    hours: Text
    reason: Text


class ClosedModel(_Strict):
    announcement: SoundName | None = None
    action: Literal["hangup", "forward"] = "hangup"
    forward_to: Text | None = None


class TenantModel(_Strict):
    id: TenantId
    name: Text
    greeting: SoundName
    greeting_text: Text
    holidays: Text
    queue: QueueName | None = None
    priority: Annotated[int, Field(ge=0, le=99)] = 0
    numbers: Annotated[list[NumberModel], Field(min_length=1)]
    hours: dict[str, Text] = {}
    exceptions: list[ExceptionModel] = []
    closed: ClosedModel = ClosedModel()
