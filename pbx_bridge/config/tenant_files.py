"""Load every tenant file of tenants_dir; check ids and numbers across files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from pbx_bridge.config.config_files import ConfigReader
from pbx_bridge.config.errors import ConfigIssue
from pbx_bridge.config.parsing import parse
from pbx_bridge.config.schema import TenantModel
from pbx_bridge.config.tenant_builder import TenantContext, build_tenant
from pbx_bridge.core.exception_days import NO_EXCEPTIONS, ExceptionDays
from pbx_bridge.core.tenants import ServiceCenter, Tenant

_PLACEHOLDER_NUMBER = "+49115"
_PLACEHOLDERS: dict[str, object] = {
    "id": "placeholder",
    "name": "-",
    "greeting": "placeholder",
    "greeting_text": "-",
    "holidays": "none",
    "numbers": [{"number": _PLACEHOLDER_NUMBER}],
}


@dataclass
class TenantFiles:
    tenants: list[Tenant] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    warnings: list[ConfigIssue] = field(default_factory=list)


@dataclass(frozen=True)
class _Claim:
    tenant: str
    file: Path
    line: int


def load_tenant_files(
    files: list[Path],
    center: ServiceCenter,
    issues: list[ConfigIssue],
    digest: hashlib._Hash,
    read_text: ConfigReader,
    *,
    center_exceptions: ExceptionDays = NO_EXCEPTIONS,
) -> TenantFiles:
    out = TenantFiles()
    claims: dict[str, _Claim] = {}
    forwards: list[tuple[Tenant, Path, int]] = []
    for file in files:
        text = read_text(file, issues)
        if text is None:
            continue
        digest.update(file.name.encode() + b"\0" + text.encode())
        parsed = parse(file, text, TenantModel, _PLACEHOLDERS)
        issues.extend(parsed.issues)
        model = parsed.usable
        if model is None:
            continue
        ctx = TenantContext(
            file,
            parsed.lines,
            center.timezone,
            center.country,
            center.queue,
            center_exceptions=center_exceptions,
            data=parsed.data if parsed.model is None else None,
        )
        tenant = build_tenant(model, ctx)
        issues.extend(ctx.issues)
        if parsed.model is None:
            # Salvaged: it serves to find more errors, not calls. Its numbers still count as
            # claimed, so a clash with another file shows in the same run.
            ctx.numbers = [(i, n) for i, n in ctx.numbers if n.written != _PLACEHOLDER_NUMBER]
            _check_claims(model.id, ctx, file, claims, issues)
            continue
        duplicate = model.id in out.files
        if duplicate:
            issues.append(
                ConfigIssue(
                    file,
                    parsed.lines.line_of(("id",)),
                    f"duplicate tenant id {model.id!r} (also in {out.files[model.id]})",
                )
            )
        else:
            out.files[model.id] = file
        clash = _check_claims(model.id, ctx, file, claims, issues)
        if tenant is not None and not clash and not duplicate:
            out.tenants.append(tenant)
            forwards.append((tenant, file, parsed.lines.line_of(("closed", "forward_to"))))
    out.warnings = _forward_warnings(forwards, claims)
    return out


def _check_claims(
    tenant_id: str,
    ctx: TenantContext,
    file: Path,
    claims: dict[str, _Claim],
    issues: list[ConfigIssue],
) -> bool:
    clash = False
    for index, number in ctx.numbers:
        line = ctx.lines.line_of(("numbers", index, "number"))
        owner = claims.get(number.e164)
        if owner is not None:
            issues.append(
                ConfigIssue(
                    file,
                    line,
                    f"number {number.written!r} ({number.e164}) is already claimed by tenant "
                    f"{owner.tenant!r} ({owner.file}:{owner.line})",
                )
            )
            clash = True
        else:
            claims[number.e164] = _Claim(tenant_id, file, line)
    return clash


def _forward_warnings(
    forwards: list[tuple[Tenant, Path, int]], claims: dict[str, _Claim]
) -> list[ConfigIssue]:
    """Legal but suspicious: a closed-hours forward to another tenant's number loops back."""
    out: list[ConfigIssue] = []
    for tenant, file, line in forwards:
        target = tenant.closed.forward_to
        owner = claims.get(target) if target else None
        if owner is not None and owner.tenant != tenant.id:
            out.append(
                ConfigIssue(
                    file,
                    line,
                    f"warning: closed.forward_to {target} is answered by tenant {owner.tenant!r} "
                    "of this center; the call comes back here",
                )
            )
    return out
