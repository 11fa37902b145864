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
AnnounceEvery = Annotated[int, Field(ge=0, le=3600)]
# Seconds in the queue before a callback is offered, or "off".
CallbackAfter = Annotated[int, Field(ge=0, le=3600)] | Literal["off"]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_only(value: object) -> object:
    # pydantic would read a bare number as a Unix timestamp; admins mean a calendar date.
    if isinstance(value, str) and not _ISO_DATE.match(value.strip()):
        raise ValueError(f"write dates as YYYY-MM-DD, not {value!r}")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only)]

_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


def _dated_or_yearly(value: object) -> object:
    """'2026-12-24' is that day; '12-24' is 24 December of every year, as (12, 24)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    month_day = _MONTH_DAY.match(text)
    if month_day is None:
        _iso_date_only(text)
        try:
            return dt.date.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a date ({exc})") from None
    month, day = int(month_day.group(1)), int(month_day.group(2))
    if (month, day) == (2, 29):
        raise ValueError(
            "'02-29' as a yearly date falls only in leap years; write it with its year (YYYY-02-29)"
        )
    try:
        dt.date(2025, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a day of the year (MM-DD)") from None
    return (month, day)


# A dated exception (YYYY-MM-DD) or a yearly one (MM-DD, read as (month, day)).
ExceptionDate = Annotated[dt.date | tuple[int, int], BeforeValidator(_dated_or_yearly)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class ExceptionModel(_Strict):
    """One of: `date: YYYY-MM-DD`, `date: MM-DD` (every year), or `from:` + `to:` (a range)."""

    date: ExceptionDate | None = None
    from_: IsoDate | None = Field(default=None, alias="from")
    to: IsoDate | None = None
    hours: Text
    reason: Text


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
    exceptions: list[ExceptionModel] = []  # for every tenant; a tenant's own ones win
    # What agents' phones show while ringing (fields: core/agent_view.py DISPLAY_FIELDS).
    agent_display: Text = "{tenant_short} {department_short}: {caller_name}"
    short_name: Text | None = None  # shown for calls no tenant claims; default: name
    callback_offer_after_s: CallbackAfter | None = None  # default: no callback offered
    # Queue position and expected wait, on entry and every N seconds (queues.conf); 0: off.
    announce_every_s: AnnounceEvery = 0


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


Threshold = Annotated[int, Field(ge=1, le=600)]
Thresholds = Annotated[list[Threshold], Field(min_length=1, max_length=8)]


class TenantReportsModel(_Strict):
    service_level_thresholds_s: Thresholds


class DeliveryModel(_Strict):
    tenant: Text  # a tenant id, or "all" for the whole center's figures
    to: Annotated[list[Text], Field(min_length=1)]
    format: list[Literal["pdf", "csv", "xlsx"]] = ["pdf", "csv", "xlsx"]
    node: Text | None = None  # one Asterisk's calls and tickets (its ami.node); default: all


class ReportsModel(_Strict):
    service_level_threshold_s: Threshold | None = None  # one threshold (older key)
    service_level_thresholds_s: Thresholds | None = None  # the first is `service_level`
    short_abandon_s: Annotated[int, Field(ge=0, le=60)] = 5
    tenants: dict[Text, TenantReportsModel] = {}  # per-tenant thresholds
    deliveries: list[DeliveryModel] = []


class SmtpModel(_Strict):
    host: Text
    port: Annotated[int, Field(gt=0, lt=65536)] = 587
    starttls: bool = True
    username: Text | None = None
    password_file: Text | None = None  # the password itself never goes into YAML
    ca_file: Text | None = None  # CA of a mail server with an internal certificate
    sender: Text = "pbx-bridge@localhost"  # the From address
    timeout_s: Annotated[float, Field(gt=0, le=300)] = 30.0


class WebModel(_Strict):
    listen: Text = "127.0.0.1:8080"  # the console; a reverse proxy in front gives TLS
    session_minutes: Annotated[int, Field(ge=5, le=7 * 24 * 60)] = 480  # one shift


class SupervisorModel(_Strict):
    """The supervisor's feature code (*84): close or reopen by phone."""

    pin_hash: Text  # made by `pbx-bridge close --hash-pin`; the PIN itself is never stored
    reason: Text = "Kurzfristig geschlossen"  # the reason of a closure made by phone
    announcement: SoundName | None = None  # default: the tenant's closed prompt


class CelModel(_Strict):
    """Where Asterisk's CEL is, where configured: the transfers the CDR cannot tell."""

    source: Literal["csv", "database"]
    path: Text | None = None  # csv: the cel_custom file, relative to bridge.yaml
    columns: Annotated[list[Text], Field(min_length=4)] | None = None  # csv: column order
    url: Text | None = None  # database: SQLAlchemy URL of the CEL database
    table: Annotated[
        str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
    ] = "cel"
    timezone: Text | None = None  # of CEL times written without a zone; default the CDR's

    @model_validator(mode="after")
    def _source_has_its_location(self) -> CelModel:
        if self.source == "csv" and not self.path:
            raise ValueError("cdr.cel: source csv needs path (the CEL file Asterisk writes)")
        if self.source == "database" and not self.url:
            raise ValueError("cdr.cel: source database needs url (an SQLAlchemy URL)")
        if self.timezone is not None:
            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"cdr.cel: unknown timezone {self.timezone!r}") from exc
        return self


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
    cel: CelModel | None = None  # Asterisk's CEL beside the CDR, where configured

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
    supervisor: SupervisorModel | None = None  # without it, *84 closes nothing
    smtp: SmtpModel | None = None  # needed by `pbx-bridge report send`
    web: WebModel = WebModel()
    cdr: CdrModel | None = None  # without it, the call log is not reconciled with the CDR


class NumberModel(_Strict):
    number: Text
    department: Text = "Zentrale"
    department_short: Text | None = None  # for the agent's display; default: department


class ClosedModel(_Strict):
    announcement: SoundName | None = None
    action: Literal["hangup", "forward"] = "hangup"
    forward_to: Text | None = None


class OverflowModel(_Strict):
    action: Literal["hangup", "forward", "callback"] = "hangup"
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
    short_name: Text | None = None  # for the agent's display and whisper; default: name
    knowledge_url: Text | None = None  # e.g. https://wissen.example/suche?q={department}
    whisper: SoundName | None = None  # prompt the agent alone hears; rendered from short_name
    callback_offer_after_s: CallbackAfter | None = None  # default: the center's
    overflow: OverflowModel = OverflowModel()
    announce_every_s: AnnounceEvery | None = None  # default: the center's
