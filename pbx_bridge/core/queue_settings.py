"""The queues.conf settings the tenants' choices need, per Asterisk queue.

Asterisk announces positions per queue (`announce-frequency`), not per caller, so a tenant
whose announcements differ from the center's needs a queue of its own; tenants sharing a
queue must agree. A caller leaves the queue on key 1 for a callback only where the queue
has `context = pbx-bridge-queue-keys`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pbx_bridge.core.caller_choices import offers_callback
from pbx_bridge.core.tenants import TenantDirectory

KEYS_CONTEXT = "pbx-bridge-queue-keys"  # dialplans/pbx-bridge.conf
# app_queue's sentence parts, replaced by pbx-bridge's German ones (sounds/choice_prompts.py).
SOUND_SETTINGS = (
    "queue-youarenext",
    "queue-thereare",
    "queue-callswaiting",
    "queue-holdtime",
    "queue-minutes",
    "queue-seconds",
    "queue-less-than",
    "queue-thankyou",
)


@dataclass(frozen=True)
class QueuePlan:
    settings: dict[str, tuple[str, ...]]  # queue -> queues.conf lines for its section
    conflicts: tuple[str, ...]  # tenants on one queue that want different announcements


def queue_plan(directory: TenantDirectory) -> QueuePlan:
    center = directory.center
    every: dict[str, dict[int, list[str]]] = {center.queue: {center.announce_every_s: []}}
    keys: set[str] = set()
    for tenant in directory.tenants:
        wanted = (
            center.announce_every_s if tenant.announce_every_s is None else tenant.announce_every_s
        )
        every.setdefault(tenant.queue, {}).setdefault(wanted, []).append(tenant.id)
        if offers_callback(center, tenant):
            keys.add(tenant.queue)
    settings: dict[str, tuple[str, ...]] = {}
    conflicts: list[str] = []
    for queue, by_seconds in every.items():
        chosen = max(by_seconds, key=lambda s: (len(by_seconds[s]), s))
        if len(by_seconds) > 1:
            listed = ", ".join(
                f"{'/'.join(ids) or 'the center'}: {s} s" for s, ids in sorted(by_seconds.items())
            )
            conflicts.append(
                f"queue {queue}: position announcements differ ({listed}); "
                "give a tenant with its own announcements its own queue"
            )
        settings[queue] = _lines(chosen, callback_keys=queue in keys)
    return QueuePlan(settings, tuple(conflicts))


def _lines(every_s: int, *, callback_keys: bool) -> tuple[str, ...]:
    lines: list[str] = []
    if callback_keys:
        lines.append(f"context = {KEYS_CONTEXT}")
    if every_s:
        lines += [
            f"announce-frequency = {every_s}",
            "announce-position = yes",
            "announce-holdtime = yes",
            "announce-round-seconds = 30",
            *(f"{name} = pbx-bridge/{name}" for name in SOUND_SETTINGS),
        ]
    else:
        lines += ["announce-frequency = 0", "announce-position = no", "announce-holdtime = no"]
    return tuple(lines)
