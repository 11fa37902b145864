"""Which prompts the dialplan may play, and what each one says.

Pure except `missing_prompts`, which only asks whether files exist (for `config check`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pbx_bridge.core.tenants import ClosedAction, ServiceCenter, Tenant, TenantDirectory
from pbx_bridge.sounds.choice_prompts import choice_prompts, whisper_text
from pbx_bridge.sounds.hours_wording import describe_weekly_hours
from pbx_bridge.sounds.layout import prompt_path

OVERFLOW_TEXT = (
    "Leider sind zur Zeit alle Mitarbeiterinnen und Mitarbeiter im Gespräch. "
    "Bitte rufen Sie später noch einmal an."
)
# The generic closed prompt plays for any tenant without its own announcement, so it must not
# name the center: callers must not notice that their town's number is answered elsewhere.
GENERIC_CLOSED_TEXT = "Sie rufen außerhalb unserer Servicezeiten an. Vielen Dank für Ihren Anruf."
FORWARD_TEXT = "Wir verbinden Sie mit der Zentrale."

# A sound name becomes a file name and an argument to Playback(); nothing that could leave
# the sounds folder or confuse Asterisk's extension lookup (no slash, no leading dot).
_SOUND_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_CENTER_PREFIX = "Service Center "


@dataclass(frozen=True)
class Prompt:
    name: str  # sound name: the file sounds/de/<name>.wav, played as pbx-bridge/<name>
    text: str
    source: str = ""  # where the prompt comes from, for messages to admins


@dataclass(frozen=True)
class PromptPlan:
    prompts: tuple[Prompt, ...]  # one per name, in the order they were found
    errors: tuple[str, ...]  # conflicts and invalid names; nothing should be rendered then

    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.prompts)


def plan_prompts(directory: TenantDirectory) -> PromptPlan:
    """All prompts of a directory, one per sound name, with the conflicts between them."""
    chosen: dict[str, Prompt] = {}
    errors: list[str] = []
    for prompt in _all_prompts(directory):
        error = _invalid(prompt)
        if error:
            errors.append(error)
            continue
        earlier = chosen.setdefault(prompt.name, prompt)
        # Two sources may share a sound on purpose (one greeting for two tenants) if they agree.
        if earlier.text != prompt.text:
            errors.append(
                f"sound {prompt.name!r} has two different texts: {earlier.source} "
                f"says {earlier.text!r}, {prompt.source} says {prompt.text!r}"
            )
    return PromptPlan(tuple(chosen.values()), tuple(errors))


def missing_prompts(directory: TenantDirectory, sounds_dir: Path) -> list[str]:
    """One message per prompt a call may play whose WAV file does not exist."""
    return [
        f"{path}: missing sound {p.name!r} ({p.source}); run `pbx-bridge sounds build` or record it"
        for p in plan_prompts(directory).prompts
        if not (path := prompt_path(sounds_dir, p.name)).is_file()
    ]


def _all_prompts(directory: TenantDirectory) -> list[Prompt]:
    prompts: list[Prompt] = []
    for tenant in directory.tenants:
        prompts.append(Prompt(tenant.greeting, tenant.greeting_text, f"greeting of {tenant.id}"))
        if tenant.closed.announcement:
            prompts.append(
                Prompt(
                    tenant.closed.announcement,
                    closed_announcement_text(tenant),
                    f"closed announcement of {tenant.id}",
                )
            )
        if tenant.whisper:
            prompts.append(Prompt(tenant.whisper, whisper_text(tenant), f"whisper of {tenant.id}"))
    prompts.extend(_center_prompts(directory.center))
    prompts.extend(Prompt(n, t, "caller choices") for n, t in choice_prompts(directory).items())
    return prompts


def _center_prompts(center: ServiceCenter) -> list[Prompt]:
    return [
        Prompt(center.unrouted_greeting, center.greeting_text, "center greeting"),
        Prompt(center.closed_announcement, GENERIC_CLOSED_TEXT, "generic closed announcement"),
        Prompt(center.overflow_announcement, OVERFLOW_TEXT, "overflow announcement"),
    ]


def closed_announcement_text(tenant: Tenant) -> str:
    """What a caller hears outside the tenant's hours: who, when it is open, what happens now."""
    name = tenant.name.removeprefix(_CENTER_PREFIX)
    hours = describe_weekly_hours(tenant.schedule.weekly)
    if hours is None:
        sentences = [f"Das Service Center {name} ist zur Zeit nicht erreichbar."]
    else:
        sentences = [
            f"Sie rufen außerhalb der Servicezeiten des Service Centers {name} an.",
            f"Wir sind {hours} für Sie da.",
        ]
    if tenant.closed.action is ClosedAction.FORWARD:
        sentences.append(FORWARD_TEXT)
    elif hours is None:
        sentences.append("Bitte versuchen Sie es später noch einmal.")
    else:
        sentences.append("Vielen Dank für Ihren Anruf.")
    return " ".join(sentences)


def _invalid(prompt: Prompt) -> str | None:
    if not _SOUND_NAME.fullmatch(prompt.name):
        return f"{prompt.source}: invalid sound name {prompt.name!r} (letters, digits, _ . -)"
    if not prompt.text.strip():
        return f"{prompt.source}: sound {prompt.name!r} has no text to speak"
    return None
