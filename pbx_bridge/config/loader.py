"""Load bridge.yaml and the tenant files into one validated BridgeConfig, or every error at once."""

from __future__ import annotations

import hashlib
import importlib.util
import ipaddress
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from pbx_bridge.cdr.settings import CdrSettings, cdr_settings
from pbx_bridge.closures.pin import check_hash_format
from pbx_bridge.config.agent_keys import agent_display_error, callback_after
from pbx_bridge.config.config_files import MAX_TENANT_FILES, ConfigReader
from pbx_bridge.config.errors import ConfigInvalidError, ConfigIssue
from pbx_bridge.config.exception_rules import build_exception_days, valid_entries
from pbx_bridge.config.parsing import parse, validate_part
from pbx_bridge.config.report_settings import ReportSettings, report_settings
from pbx_bridge.config.schema import (
    AgiModel,
    AmiModel,
    BridgeModel,
    CenterModel,
    MetricsModel,
    SupervisorModel,
)
from pbx_bridge.config.tenant_files import load_tenant_files
from pbx_bridge.config.yaml_lines import LineMap
from pbx_bridge.core.exception_days import ExceptionDays
from pbx_bridge.core.privacy import PrivacyPolicy
from pbx_bridge.core.tenants import ServiceCenter, TenantDirectory
from pbx_bridge.net import PeerFilter, is_loopback_bind

DEFAULT_CONFIG = Path("config/bridge.yaml")
_FALLBACK_ZONE = "Europe/Berlin"
_CENTER_PLACEHOLDERS: dict[str, object] = {
    "name": "?",
    "timezone": _FALLBACK_ZONE,
    "queue": "servicecenter",
    "unrouted_greeting": "servicecenter",
}


@dataclass(frozen=True)
class ListenAddress:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class AmiSettings:
    host: str
    port: int
    username: str
    secret_file: Path | None
    secret_env: str | None
    node: str | None = None  # the call log's name for this Asterisk; None: host


@dataclass(frozen=True)
class SupervisorSettings:
    pin_hash: str
    reason: str
    announcement: str | None


@dataclass(frozen=True, eq=False)
class BridgeConfig:
    path: Path
    directory: TenantDirectory
    sounds_dir: Path
    agi_listen: ListenAddress
    queue_timeout: int
    generation: str  # content hash: tells which configuration took a decision
    warnings: list[ConfigIssue] = field(default_factory=list)
    state_dir: Path = Path("var")
    database_url: str = "sqlite:///var/pbx-bridge.sqlite3"
    ami: AmiSettings | None = None
    privacy: PrivacyPolicy = field(default_factory=PrivacyPolicy)
    reports: ReportSettings = field(default_factory=ReportSettings)
    agi_peers: PeerFilter = field(default_factory=PeerFilter)
    agi_max_sessions: int = 1000
    metrics_listen: ListenAddress = field(default_factory=lambda: ListenAddress("127.0.0.1", 9464))
    metrics_peers: PeerFilter = field(default_factory=PeerFilter)
    supervisor: SupervisorSettings | None = None
    cdr: CdrSettings | None = None


@dataclass
class _BridgeFile:
    path: Path
    lines: LineMap
    issues: list[ConfigIssue]

    def error(self, key: tuple[str | int, ...], message: str) -> None:
        self.issues.append(ConfigIssue(self.path, self.lines.line_of(key), message))


def _center(model: CenterModel, bridge: _BridgeFile) -> ServiceCenter:
    try:
        zone = ZoneInfo(model.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a path
        bridge.error(("service_center", "timezone"), f"unknown timezone {model.timezone!r}")
        zone = ZoneInfo(_FALLBACK_ZONE)
    if (display_error := agent_display_error(model.agent_display)) is not None:
        bridge.error(("service_center", "agent_display"), display_error)
    country = model.country.upper()
    if country not in phonenumbers.SUPPORTED_REGIONS:
        bridge.error(("service_center", "country"), f"unknown country code {country!r}")
        country = "DE"
    return ServiceCenter(
        name=model.name,
        timezone=zone,
        country=country,
        queue=model.queue,
        unrouted_greeting=model.unrouted_greeting,
        greeting_text=model.greeting_text or f"{model.name}, guten Tag.",
        closed_announcement=model.closed_announcement,
        overflow_announcement=model.overflow_announcement,
        agent_display=model.agent_display,
        short_name=model.short_name or model.name,
        callback_offer_after_s=callback_after(model.callback_offer_after_s),
        announce_every_s=model.announce_every_s,
    )


def _supervisor(model: SupervisorModel | None, bridge: _BridgeFile) -> SupervisorSettings | None:
    if model is None:
        return None
    try:
        check_hash_format(model.pin_hash)
    except ValueError as exc:
        bridge.error(("supervisor", "pin_hash"), str(exc))
        return None
    return SupervisorSettings(model.pin_hash, model.reason, model.announcement)


def _center_exceptions(data: object, bridge: _BridgeFile) -> ExceptionDays:
    """Entry by entry from the raw list, so a structural error in one entry (or elsewhere in
    bridge.yaml) does not hide the meaning errors of the others."""
    return build_exception_days(
        valid_entries(_part(_part(data, "service_center"), "exceptions")),
        lambda path, message: bridge.error(
            ("service_center", "exceptions", *path), f"service_center: {message}"
        ),
        lambda index: bridge.lines.line_of(("service_center", "exceptions", index)),
    )


_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9-]{1,63})*$")


def _is_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return _HOSTNAME.match(host) is not None
    return True


def _listen(text: str, bridge: _BridgeFile, section: str, default_port: int) -> ListenAddress:
    host, sep, port_text = text.rpartition(":")
    host = host.strip("[]")
    if (
        not sep
        or not _is_host(host)
        or not port_text.isascii()
        or not port_text.isdigit()
        or not 0 < int(port_text) < 65536
    ):
        bridge.error((section, "listen"), f"{section}.listen {text!r} is not HOST:PORT")
        return ListenAddress("127.0.0.1", default_port)
    return ListenAddress(host, int(port_text))


def _peers(
    entries: list[str], listen: ListenAddress, bridge: _BridgeFile, section: str
) -> PeerFilter:
    try:
        peers = PeerFilter.of(entries)
    except ValueError as exc:
        bridge.error((section, "allow"), f"{section}.allow: {exc}")
        return PeerFilter()
    if not is_loopback_bind(listen.host) and not peers.allowed:
        bridge.error(
            (section, "listen"),
            f"{section}.listen {listen} is reachable from the network: list the hosts "
            f"allowed to connect in {section}.allow",
        )
    return peers


def _part(data: object, key: str) -> object:
    return data.get(key) if isinstance(data, dict) else None


def load_config(path: Path) -> BridgeConfig:
    """Read and validate everything; raise ConfigInvalidError listing every issue found."""
    issues: list[ConfigIssue] = []
    digest = hashlib.sha256()
    read_text = ConfigReader.for_bridge(path)
    text = read_text(path, issues)
    if text is None:
        raise ConfigInvalidError(issues)
    digest.update(text.encode())
    parsed = parse(path, text, BridgeModel, {"service_center": _CENTER_PLACEHOLDERS})
    issues.extend(parsed.issues)
    bridge = _BridgeFile(path, parsed.lines, issues)
    model = parsed.model
    # With structural errors, still check what can be checked, so every error shows in one run.
    center_model = (
        model.service_center
        if model
        else validate_part(CenterModel, _part(parsed.data, "service_center"), _CENTER_PLACEHOLDERS)
    )
    agi_model = model.agi if model else validate_part(AgiModel, _part(parsed.data, "agi"), {})
    center_model = center_model or CenterModel(**_CENTER_PLACEHOLDERS)  # type: ignore[arg-type]
    center = _center(center_model, bridge)
    center_exceptions = _center_exceptions(parsed.data, bridge)
    agi_model = agi_model or AgiModel()
    listen = _listen(agi_model.listen, bridge, "agi", 4573)
    agi_peers = _peers(agi_model.allow, listen, bridge, "agi")
    metrics_model = (
        model.metrics if model else validate_part(MetricsModel, _part(parsed.data, "metrics"), {})
    ) or MetricsModel()
    metrics_listen = _listen(metrics_model.listen, bridge, "metrics", 9464)
    metrics_peers = _peers(metrics_model.allow, metrics_listen, bridge, "metrics")
    tenants_dir = path.parent / (
        model.tenants_dir if model else _text(parsed.data, "tenants_dir", "tenants")
    )
    sounds_dir = path.parent / (model.sounds_dir if model else "../sounds")
    supervisor = _supervisor(model.supervisor if model else None, bridge)
    if model is not None and model.database.url is not None:
        _check_database_url(model.database.url, bridge)
    files = _tenant_paths(tenants_dir, bridge)
    read_text.also_inside(tenants_dir)
    loaded = load_tenant_files(
        files, center, issues, digest, read_text, center_exceptions=center_exceptions
    )
    reports = ReportSettings()
    if model:
        tenant_ids = {tenant.id for tenant in loaded.tenants}
        reports = report_settings(model.reports, model.smtp, path.parent, tenant_ids, bridge.error)
    if issues:
        raise ConfigInvalidError(issues)
    assert model is not None
    state_dir = _state_dir(path, model.state_dir)
    return BridgeConfig(
        state_dir=state_dir,
        database_url=model.database.url or f"sqlite:///{state_dir / 'pbx-bridge.sqlite3'}",
        ami=_ami(path, model.ami),
        cdr=cdr_settings(path, model.cdr, center.timezone),
        privacy=PrivacyPolicy(model.privacy.shorten_digits, model.privacy.retention_days),
        agi_peers=agi_peers,
        agi_max_sessions=agi_model.max_sessions,
        metrics_listen=metrics_listen,
        metrics_peers=metrics_peers,
        reports=reports,
        path=path,
        directory=TenantDirectory(center, tuple(loaded.tenants)),
        sounds_dir=sounds_dir.resolve(),
        agi_listen=listen,
        queue_timeout=model.service_center.queue_timeout,
        generation=digest.hexdigest()[:12],
        warnings=loaded.warnings,
        supervisor=supervisor,
    )


def _check_database_url(url: str, bridge: _BridgeFile) -> None:
    """What the daemon's start would stumble on: an unparseable URL, a port that is no
    number (parsed lazily by SQLAlchemy) or a database it has no driver for."""
    where = ("database", "url")
    try:
        parsed = make_url(url)
        port = parsed.port
        parsed.get_dialect()
    except NoSuchModuleError:
        bridge.error(where, f"database.url: no driver for {parsed.drivername!r}")
        return
    except ArgumentError:
        bridge.error(where, "database.url is not a database URL (driver://user@host:port/name)")
        return
    except ValueError:  # the port, which SQLAlchemy converts only when asked
        bridge.error(where, "database.url: the port is not a number")
        return
    if port is not None and not 0 < port < 65536:
        bridge.error(where, f"database.url: port {port} is out of range")
    driver = parsed.get_dialect().driver
    module = _DRIVER_MODULES.get(driver, driver)
    if parsed.get_backend_name() != "sqlite" and importlib.util.find_spec(module) is None:
        hint = " (pip install 'pbx-bridge[postgresql]')" if driver == "psycopg" else ""
        bridge.error(where, f"database.url: the driver {driver!r} is not installed{hint}")


# Python modules of SQLAlchemy drivers whose module name is not the driver's name. Looked up,
# not imported: the failsafe AGI loads this configuration on every call it routes.
_DRIVER_MODULES = {"mysqldb": "MySQLdb", "pysqlite": "sqlite3"}


def _state_dir(path: Path, configured: str | None) -> Path:
    if configured:
        return (path.parent / configured).resolve()
    systemd = os.environ.get("STATE_DIRECTORY")  # set by systemd's StateDirectory=
    if systemd:
        return Path(systemd.split(":")[0])
    return (path.parent / "../var").resolve()


def _ami(path: Path, model: AmiModel | None) -> AmiSettings | None:
    if model is None:
        return None
    secret_file = (path.parent / model.secret_file).resolve() if model.secret_file else None
    return AmiSettings(
        model.host, model.port, model.username, secret_file, model.secret_env, model.node
    )


def _text(data: object, key: str, default: str) -> str:
    value = _part(data, key)
    return value if isinstance(value, str) and value else default


def _tenant_paths(tenants_dir: Path, bridge: _BridgeFile) -> list[Path]:
    if not tenants_dir.is_dir():
        bridge.error(("tenants_dir",), f"tenants_dir {str(tenants_dir)!r} is not a folder")
        return []
    files = sorted([*tenants_dir.glob("*.yaml"), *tenants_dir.glob("*.yml")])
    if not files:
        bridge.error(("tenants_dir",), f"no tenant files (*.yaml) in {tenants_dir}")
    if len(files) > MAX_TENANT_FILES:
        bridge.error(
            ("tenants_dir",),
            f"{len(files)} tenant files in {tenants_dir}: more than the limit of "
            f"{MAX_TENANT_FILES}; none read",
        )
        return []
    return files
