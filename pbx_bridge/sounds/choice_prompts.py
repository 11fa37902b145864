"""Prompts of the waiting caller's choices and of the agent's whisper, and what each one says.

Asterisk's own position announcements (queues.conf `announce-position`, `announce-holdtime`)
play the sentence parts below in place of its English ones when a queue names them
(`queue-thereare = pbx-bridge/queue-thereare`, …); it says the numbers between them itself,
in the caller's language.
"""

from __future__ import annotations

from pbx_bridge.core.caller_choices import offers_callback
from pbx_bridge.core.tenants import OverflowAction, Tenant, TenantDirectory

CALLBACK_PROMPTS = {
    "callback-offer": "Drücken Sie die 1, wenn wir Sie zurückrufen sollen.",
    "callback-number": "Wir rufen Sie unter dieser Nummer zurück:",
    "callback-confirm": "Wenn das richtig ist, drücken Sie bitte noch einmal die 1.",
    "callback-booked": "Vielen Dank. Wir rufen Sie so bald wie möglich zurück. Auf Wiederhören.",
    "overflow-forward": "Wir verbinden Sie mit der Zentrale.",
}
DIGIT_WORDS = ("null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun")
DIGIT_PROMPTS = {f"digit-{n}": word for n, word in enumerate(DIGIT_WORDS)}
# app_queue's sound settings (queues.conf) and their German wording.
QUEUE_PROMPTS = {
    "queue-youarenext": "Sie sind als Nächstes an der Reihe.",
    "queue-thereare": "Sie sind an Position",
    "queue-callswaiting": "in der Warteschlange.",
    "queue-holdtime": "Die voraussichtliche Wartezeit beträgt",
    "queue-minutes": "Minuten.",
    "queue-seconds": "Sekunden.",
    "queue-less-than": "weniger als",
    "queue-thankyou": "Vielen Dank für Ihre Geduld.",
}


def choice_prompts(directory: TenantDirectory) -> dict[str, str]:
    """Sound name -> text of the prompts of the callback, the overflow forward and the
    position announcements, each set only when some tenant uses it."""
    center, tenants = directory.center, directory.tenants
    prompts: dict[str, str] = {}
    if any(offers_callback(center, t) for t in tenants):
        prompts |= CALLBACK_PROMPTS | DIGIT_PROMPTS
        del prompts["overflow-forward"]
    if any(t.overflow.action is OverflowAction.FORWARD for t in tenants):
        prompts["overflow-forward"] = CALLBACK_PROMPTS["overflow-forward"]
    if center.announce_every_s or any(t.announce_every_s for t in tenants):
        prompts |= QUEUE_PROMPTS
    return prompts


def whisper_text(tenant: Tenant) -> str:
    """What the agent alone hears before a call of `tenant`: its short name."""
    return f"{tenant.short_name or tenant.name}."
