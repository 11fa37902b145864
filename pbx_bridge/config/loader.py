"""Load bridge.yaml and the tenant files into one validated BridgeConfig, or every error at once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import BaseModel, ValidationError

from pbx_bridge.config.errors import ConfigInvalidError, ConfigIssue
from pbx_bridge.config.schema import BridgeModel, CenterModel, TenantModel
from pbx_bridge.config.tenant_builder import TenantContext, build_tenant
from pbx_bridge.config.validation_messages import structural_issues
from pbx_bridge.config.yaml_lines import LineMap, load_yaml
from pbx_bridge.core.tenants import ServiceCenter, Tenant, TenantDirectory

DEFAULT_CONFIG = Path("config/bridge.yaml")
_FALLBACK_ZONE = "Europe/Berlin"


@dataclass(frozen=True)
class ListenAddress:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


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


M = TypeVar("M", bound=BaseModel)


@dataclass
class _Parsed(Generic[M]):
    model: M | None
    lines: LineMap
    issues: list[ConfigIssue]


def _parse(file: Path, text: str, model: type[M]) -> _Parsed[M]:
    loaded = load_yaml(text)
    issues = [ConfigIssue(file, p.line, p.message) for p in loaded.problems]
    if loaded.data is None and not issues:
        issues.append(ConfigIssue(file, 1, "the file is empty"))
    if issues:
        return _Parsed(None, loaded.lines, issues)
    try:
        return _Parsed(model.model_validate(loaded.data), loaded.lines, issues)
    except ValidationError as exc:
        return _Parsed(None, loaded.lines, structural_issues(exc, model, file, loaded.lines))


def _read(file: Path, issues: list[ConfigIssue]) -> str | None:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        issues.append(ConfigIssue(file, 1, f"cannot read file: {exc}"))
        return None


def _center(
    model: CenterModel, file: Path, lines: LineMap, issues: list[ConfigIssue]
) -> ServiceCenter:
    base = ("service_center",)
    try:
        zone = ZoneInfo(model.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        issues.append(
            ConfigIssue(
                file, lines.line_of((*base, "timezone")), f"unknown timezone {model.timezone!r}"
            )
        )
        zone = ZoneInfo(_FALLBACK_ZONE)
    country = model.country.upper()
    if country not in phonenumbers.SUPPORTED_REGIONS:
        issues.append(
            ConfigIssue(
                file, lines.line_of((*base, "country")), f"unknown country code {country!r}"
            )
        )
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


def _listen(text: str, file: Path, line: int, issues: list[ConfigIssue]) -> ListenAddress:
    host, sep, port_text = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        issues.append(ConfigIssue(file, line, f"agi.listen {text!r} is not HOST:PORT"))
        return ListenAddress("127.0.0.1", 4573)
    return ListenAddress(host, int(port_text))


def load_config(path: Path) -> BridgeConfig:
    """Read and validate everything; raise ConfigInvalidError listing every issue found."""
    issues: list[ConfigIssue] = []
    digest = hashlib.sha256()
    text = _read(path, issues)
    if text is None:
        raise ConfigInvalidError(issues)
    digest.update(text.encode())
    parsed = _parse(path, text, BridgeModel)
    issues.extend(parsed.issues)
    bridge = parsed.model
    if bridge is None:
        # Go on with defaults so tenant files are checked too: every error in one pass.
        center = ServiceCenter(
            "?", ZoneInfo(_FALLBACK_ZONE), "DE", "servicecenter", "servicecenter"
        )
        tenants_dir, sounds_dir = path.parent / "tenants", path.parent / "../sounds"
        listen, queue_timeout = ListenAddress("127.0.0.1", 4573), 300
    else:
        center = _center(bridge.service_center, path, parsed.lines, issues)
        tenants_dir = path.parent / bridge.tenants_dir
        sounds_dir = path.parent / bridge.sounds_dir
        listen = _listen(bridge.agi.listen, path, parsed.lines.line_of(("agi", "listen")), issues)
        queue_timeout = bridge.service_center.queue_timeout
    tenants, files = _load_tenants(
        tenants_dir,
        bridge_file=path,
        bridge_lines=parsed.lines,
        center=center,
        issues=issues,
        digest=digest,
    )
    if issues:
        raise ConfigInvalidError(issues)
    return BridgeConfig(
        path=path,
        directory=TenantDirectory(center, tuple(tenants)),
        sounds_dir=sounds_dir.resolve(),
        agi_listen=listen,
        queue_timeout=queue_timeout,
        tenant_files=files,
        generation=digest.hexdigest()[:12],
        warnings=_warnings(tenants, files),
    )


def _load_tenants(
    tenants_dir: Path,
    *,
    bridge_file: Path,
    bridge_lines: LineMap,
    center: ServiceCenter,
    issues: list[ConfigIssue],
    digest: hashlib._Hash,
) -> tuple[list[Tenant], dict[str, Path]]:
    if not tenants_dir.is_dir():
        line = bridge_lines.line_of(("tenants_dir",))
        issues.append(
            ConfigIssue(bridge_file, line, f"tenants_dir {str(tenants_dir)!r} is not a folder")
        )
        return [], {}
    files = sorted([*tenants_dir.glob("*.yaml"), *tenants_dir.glob("*.yml")])
    if not files:
        line = bridge_lines.line_of(("tenants_dir",))
        issues.append(ConfigIssue(bridge_file, line, f"no tenant files (*.yaml) in {tenants_dir}"))
    tenants: list[Tenant] = []
    by_id: dict[str, Path] = {}
    number_owner: dict[str, tuple[str, Path, int]] = {}
    for file in files:
        text = _read(file, issues)
        if text is None:
            continue
        digest.update(file.name.encode() + b"\0" + text.encode())
        parsed = _parse(file, text, TenantModel)
        issues.extend(parsed.issues)
        if parsed.model is None:
            continue
        model = parsed.model
        if model.id in by_id:
            issues.append(
                ConfigIssue(
                    file,
                    parsed.lines.line_of(("id",)),
                    f"duplicate tenant id {model.id!r} (also in {by_id[model.id]})",
                )
            )
            continue
        ctx = TenantContext(file, parsed.lines, center.timezone, center.country, center.queue)
        tenant = build_tenant(model, ctx)
        issues.extend(ctx.issues)
        by_id[model.id] = file
        if tenant is None:
            continue
        clash = False
        for index, number in enumerate(tenant.numbers):
            line = parsed.lines.line_of(("numbers", index, "number"))
            owner = number_owner.get(number.e164)
            if owner is not None:
                other_id, other_file, other_line = owner
                issues.append(
                    ConfigIssue(
                        file,
                        line,
                        f"number {number.written!r} ({number.e164}) is already claimed by tenant "
                        f"{other_id!r} ({other_file}:{other_line})",
                    )
                )
                clash = True
            else:
                number_owner[number.e164] = (tenant.id, file, line)
        if not clash:
            tenants.append(tenant)
    return tenants, by_id


def _warnings(tenants: list[Tenant], files: dict[str, Path]) -> list[ConfigIssue]:
    """Legal but suspicious: a closed-hours forward to a number another tenant claims loops back."""
    owners = {n.e164: t.id for t in tenants for n in t.numbers}
    out: list[ConfigIssue] = []
    for tenant in tenants:
        target = tenant.closed.forward_to
        if target and owners.get(target) not in (None, tenant.id):
            out.append(
                ConfigIssue(
                    files[tenant.id],
                    1,
                    f"warning: closed.forward_to {target} is answered by tenant {owners[target]!r} "
                    "of this center; the call comes back here",
                )
            )
    return out
