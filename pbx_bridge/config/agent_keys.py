"""Meaning checks of the agent-display and caller-choice keys (schema.py checks their shape)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pbx_bridge.config.schema import OverflowModel
from pbx_bridge.core.agent_view import DISPLAY_FIELDS, URL_FIELDS, fill, safe_url, template_error
from pbx_bridge.core.numbers import InvalidNumberError, normalise
from pbx_bridge.core.tenants import CALLBACK_OFF, OverflowAction, OverflowPolicy

Report = Callable[[tuple[str | int, ...], str], None]


def callback_after(value: int | Literal["off"] | None) -> int | None:
    """The YAML value as the core keeps it: None inherits, CALLBACK_OFF never offers."""
    return CALLBACK_OFF if value == "off" else value


def agent_display_error(template: str) -> str | None:
    error = template_error(template, DISPLAY_FIELDS)
    return None if error is None else f"agent_display: {error}"


def knowledge_url_error(template: str) -> str | None:
    error = template_error(template, URL_FIELDS)
    if error is not None:
        return f"knowledge_url: {error}"
    if not safe_url(fill(template, {"tenant": "t", "department": "d"})):
        return (
            f"knowledge_url {template!r} is no http(s) URL fit for a SIP header "
            "(no spaces, quotes or angle brackets; at most 512 characters)"
        )
    return None


def overflow_policy(model: OverflowModel, region: str, error: Report) -> OverflowPolicy | None:
    action = OverflowAction(model.action)
    if action is not OverflowAction.FORWARD:
        if model.forward_to is not None:
            error(
                ("overflow", "forward_to"), "overflow.forward_to is set but action is not 'forward'"
            )
            return None
        return OverflowPolicy(action)
    if model.forward_to is None:
        error(
            ("overflow", "action"),
            "overflow.action is 'forward' but overflow.forward_to is missing",
        )
        return None
    try:
        return OverflowPolicy(action, normalise(model.forward_to, region))
    except InvalidNumberError as exc:
        error(("overflow", "forward_to"), f"cannot read overflow.forward_to: {exc}")
        return None
