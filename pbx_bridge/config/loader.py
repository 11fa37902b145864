"""Load bridge.yaml and the tenant files into one validated BridgeConfig, or every error at once."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from pbx_bridge.cdr.settings import CdrSettings, cdr_settings
from pbx_bridge.config.errors import ConfigInvalidError, ConfigIssue
from pbx_bridge.config.parsing import parse, read_text, validate_part
from pbx_bridge.config.schema import AgiModel, AmiModel, BridgeModel, CenterModel, MetricsModel
from pbx_bridge.config.tenant_files import load_tenant_files
from pbx_bridge.config.yaml_lines import LineMap
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
class ReportSettings:
    service_level_threshold_s: int = 20
    short_abandon_s: int = 5


@dataclass(frozen=True, eq=False)
class BridgeConfig:
    path: Path
    directory: TenantDirectory
    sounds_dir: Path
    agi_listen: ListenAddress
    queue_timeout: int
    tenant_files: dict[str, Path]
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
    cdr: CdrSettings | None = None


@dataclass
class _BridgeFile:
    path: Path
    lines: LineMap
    issues: list[ConfigIssue]

    def error(self, key: tuple[str, ...], message: str) -> None:
        self.issues.append(ConfigIssue(self.path, self.lines.line_of(key), message))


def _center(model: CenterModel, bridge: _BridgeFile) -> ServiceCenter:
    try:
        zone = ZoneInfo(model.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        bridge.error(("service_center", "timezone"), f"unknown timezone {model.timezone!r}")
        zone = ZoneInfo(_FALLBACK_ZONE)
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
    )


def _listen(text: str, bridge: _BridgeFile, section: str, default_port: int) -> ListenAddress:
    host, sep, port_text = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
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
    center = _center(center_model or CenterModel(**_CENTER_PLACEHOLDERS), bridge)  # type: ignore[arg-type]
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
    files = _tenant_paths(tenants_dir, bridge)
    loaded = load_tenant_files(files, center, issues, digest)
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
        reports=ReportSettings(
            model.reports.service_level_threshold_s, model.reports.short_abandon_s
        ),
        path=path,
        directory=TenantDirectory(center, tuple(loaded.tenants)),
        sounds_dir=sounds_dir.resolve(),
        agi_listen=listen,
        queue_timeout=model.service_center.queue_timeout,
        tenant_files=loaded.files,
        generation=digest.hexdigest()[:12],
        warnings=loaded.warnings,
    )


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
    return files
