"""Service-center configurations for tests: `bridge.yaml` plus `tenants/<id>.yaml` (issue 2).

Hours are either always open (`mon-sun: 00:00-24:00`, holidays `none`) or always closed
(`hours: {}`), so no test depends on the clock or the holiday calendar.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.testbed import ports

CENTER_QUEUE = "servicecenter"
CENTER_GREETING = "servicecenter"


@dataclass(frozen=True)
class Tenant:
    id: str
    name: str
    numbers: Sequence[tuple[str, str]]  # (number as an admin writes it, department)
    greeting: str = ""  # default: the id
    open: bool = True
    closed_announcement: str = ""  # default: "<id>-closed"
    closed_action: str = "hangup"
    forward_to: str = ""
    priority: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_yaml(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "greeting": self.greeting or self.id,
            "greeting_text": f"Service Center {self.name}, guten Tag.",
            "holidays": "none",
            "priority": self.priority,
            "numbers": [{"number": n, "department": d} for n, d in self.numbers],
            "hours": {"mon-sun": "00:00-24:00"} if self.open else {},
            "closed": {
                "announcement": self.closed_announcement or f"{self.id}-closed",
                "action": self.closed_action,
            },
        }
        if self.forward_to:
            data["closed"]["forward_to"] = self.forward_to
        data.update(self.extra)
        return data

    @property
    def sounds(self) -> list[str]:
        return [self.greeting or self.id, self.closed_announcement or f"{self.id}-closed"]


# The example tenants (public central numbers; see config/ for the full center).
GIFHORN = Tenant(
    "gifhorn",
    "Landkreis Gifhorn",
    [("05371 82-0", "Zentrale"), ("05371 82-370", "Kfz-Zulassung")],
)
MEINERSEN = Tenant("meinersen", "Samtgemeinde Meinersen", [("05372 89-0", "Zentrale")])
WOLFSBURG = Tenant("wolfsburg", "Stadt Wolfsburg", [("05361 28-0", "Zentrale")])
EXAMPLE_TENANTS = (GIFHORN, MEINERSEN, WOLFSBURG)

# Tenants for the outcomes the examples do not reach: a queue of its own (set `extra`), closed
# with a hang-up, closed with a forward.
ISENBUETTEL = Tenant("isenbuettel", "Samtgemeinde Isenbüttel", [("05374 0999-0", "Zentrale")])
WARDENBURG = Tenant("wardenburg", "Gemeinde Wardenburg", [("04407 73-0", "Zentrale")], open=False)
GESEKE_SWITCHBOARD = "02942 0999-100"  # fictional: the town's own switchboard
GESEKE = Tenant(
    "geseke",
    "Stadt Geseke",
    [("02942 500-0", "Zentrale")],
    open=False,
    closed_action="forward",
    forward_to=GESEKE_SWITCHBOARD,
)

# Dialled forms of those numbers, as a carrier puts them in the Request-URI.
GIFHORN_CENTRAL = "05371820"
GIFHORN_KFZ = "0537182370"
MEINERSEN_CENTRAL = "05372890"
WOLFSBURG_CENTRAL = "05361280"
ISENBUETTEL_CENTRAL = "0537409990"  # fictional
WARDENBURG_CENTRAL = "04407730"
GESEKE_CENTRAL = "029425000"
GESEKE_FORWARD = "029420999100"  # the switchboard, as the dialplan dials it
UNKNOWN_NUMBER = "09991234567"  # fictional: no German number starts 0999


def write_center(
    directory: Path,
    tenants: Sequence[Tenant],
    *,
    agi_port: int,
    sounds_dir: Path,
    queue_timeout: int = 20,
) -> Path:
    """Write a complete configuration into `directory` (replacing it) and return bridge.yaml."""
    tenants_dir = directory / "tenants"
    if tenants_dir.exists():
        shutil.rmtree(tenants_dir)
    tenants_dir.mkdir(parents=True)
    bridge = {
        "service_center": {
            "name": "Service Center Testbed",
            "timezone": "Europe/Berlin",
            "country": "DE",
            "queue": CENTER_QUEUE,
            "unrouted_greeting": CENTER_GREETING,
            "queue_timeout": queue_timeout,
        },
        "tenants_dir": "tenants",
        "sounds_dir": str(sounds_dir),
        "agi": {"listen": f"127.0.0.1:{agi_port}"},
        # Never the default 9464: several daemons (tests, a demo, a real one) share a machine.
        "metrics": {"listen": f"127.0.0.1:{ports.free_port()}"},
    }
    path = directory / "bridge.yaml"
    path.write_text(yaml.safe_dump(bridge, allow_unicode=True, sort_keys=False))
    for tenant in tenants:
        (tenants_dir / f"{tenant.id}.yaml").write_text(
            yaml.safe_dump(tenant.as_yaml(), allow_unicode=True, sort_keys=False)
        )
    return path
