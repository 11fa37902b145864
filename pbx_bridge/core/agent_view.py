"""What the agent's phone is shown while it rings: a display name and screen-pop SIP headers.

Every value ends up in a SIP header of the INVITE to the agent, and some come from the
network (the caller's name) or from YAML (names, departments, URLs). So each value is
cleaned here: no control characters (CR/LF would start a new header), no quotes, angle
brackets or backslashes (they end a display name or a URI), bounded in length, in NFC so
umlauts arrive as one code point each. Truncation is by code point: UTF-8 stays intact.
"""

from __future__ import annotations

import functools
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from pbx_bridge.core.tenants import NumberOwner, ServiceCenter

DISPLAY_LIMIT = 60  # characters of the display name; desk phones show 20 to 40
HEADER_LIMIT = 120  # characters of an X-PBXB-* header value
URL_LIMIT = 512
NO_TENANT = "-"  # X-PBXB-Tenant / X-PBXB-Department of a call no tenant claims

DISPLAY_FIELDS = frozenset(
    {"tenant", "tenant_short", "department", "department_short", "caller_name", "caller_number"}
)
URL_FIELDS = frozenset({"tenant", "department"})
# Characters that end or escape a quoted display name, a header or a URI.
_SYNTAX = frozenset('"<>\\')


def clean(value: str | None, limit: int) -> str:
    """`value` safe for one SIP header line: printable, single-spaced, at most `limit` chars."""
    if not value:
        return ""
    return _clean(value, limit)


# Names of tenants and departments repeat on every call; bounded, so a flood of made-up
# caller names cannot grow it. Figure: without this and the template cache below, +7.0 %
# instructions per FastAGI session (benchmarks/agi_instructions.py; docs/decisions/0011).
@functools.lru_cache(maxsize=4096)
def _clean(value: str, limit: int) -> str:
    text = unicodedata.normalize("NFC", value)
    kept = [
        " " if unicodedata.category(ch).startswith(("C", "Z")) else ch
        for ch in text
        if ch not in _SYNTAX
    ]
    return " ".join("".join(kept).split())[:limit].rstrip()


def template_error(template: str, allowed: frozenset[str]) -> str | None:
    """Why `template` cannot be filled in (unknown field, format spec, bad braces), or None."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        return f"cannot read template {template!r}: {exc}"
    for _text, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in allowed:
            known = ", ".join("{" + n + "}" for n in sorted(allowed))
            return f"unknown field {{{name}}} in {template!r} (use {known})"
        if spec or conversion:
            return f"field {{{name}}} in {template!r} takes no format (write {{{name}}})"
    return None


def fill(template: str, values: Mapping[str, str]) -> str:
    """`template` with `values` (a validated template); unknown fields stay empty."""
    parts: list[str] = []
    for text, name in _parsed(template):
        parts.append(text)
        if name is not None:
            parts.append(values.get(name, ""))
    return "".join(parts)


@functools.lru_cache(maxsize=64)
def _parsed(template: str) -> tuple[tuple[str, str | None], ...]:
    return tuple((text, name) for text, name, _s, _c in string.Formatter().parse(template))


def _tidy(display: str) -> str:
    """A display with empty fields left out reads well: no ' :' or leading ': '."""
    text = " ".join(display.split())
    text = text.replace(" :", ":").strip()
    return text.removeprefix(":").strip()


@dataclass(frozen=True)
class AgentView:
    display: str  # caller-ID name the agent's phone shows; empty: leave the caller's own
    tenant: str  # X-PBXB-Tenant
    department: str  # X-PBXB-Department
    knowledge_url: str  # for Call-Info; empty: no such header
    whisper: str  # sound name played to the agent alone; empty: none


def agent_view(
    center: ServiceCenter,
    owner: NumberOwner | None,
    caller_name: str | None,
    caller_number: str | None,
) -> AgentView:
    """What the agent sees for a call to `owner`'s number (None: a number no tenant claims)."""
    name = clean(caller_name, DISPLAY_LIMIT)
    number = clean(caller_number, DISPLAY_LIMIT)
    if name.lower() in ("", "unknown", "anonymous"):
        name = number
    if owner is None:
        tenant_name = clean(center.short_name or center.name, DISPLAY_LIMIT)
        values = {"tenant": tenant_name, "tenant_short": tenant_name}
        department = department_short = ""
    else:
        tenant = owner.tenant
        values = {
            "tenant": clean(tenant.name, DISPLAY_LIMIT),
            "tenant_short": clean(tenant.short_name or tenant.name, DISPLAY_LIMIT),
        }
        department = clean(owner.number.department, HEADER_LIMIT)
        department_short = clean(owner.number.department_short or department, DISPLAY_LIMIT)
    values |= {
        "department": department,
        "department_short": department_short,
        "caller_name": name,
        "caller_number": number,
    }
    display = _tidy(fill(center.agent_display, values))[:DISPLAY_LIMIT].rstrip()
    return AgentView(
        display=display,
        tenant=owner.tenant.id if owner else NO_TENANT,
        department=department or NO_TENANT,
        knowledge_url=_knowledge_url(owner, department),
        whisper=(owner.tenant.whisper or "") if owner else "",
    )


def _knowledge_url(owner: NumberOwner | None, department: str) -> str:
    if owner is None or not owner.tenant.knowledge_url:
        return ""
    values = {"tenant": quote(owner.tenant.id, safe=""), "department": quote(department, safe="")}
    return safe_url(fill(owner.tenant.knowledge_url, values))


def safe_url(url: str) -> str:
    """`url` if it is an http(s) URL fit for `Call-Info: <url>`, else empty."""
    if not url.startswith(("https://", "http://")) or len(url) > URL_LIMIT:
        return ""
    if any(ch in _SYNTAX or ch.isspace() or not ch.isprintable() for ch in url):
        return ""
    # Umlauts a template may hold are percent-encoded: a URI is ASCII.
    return quote(url, safe=_URI_CHARACTERS)


_URI_CHARACTERS = ":/?#[]@!$&'()*+,;=%~-._"
