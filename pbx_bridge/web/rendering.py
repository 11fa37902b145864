"""Jinja2 templates (autoescaped) with the display filters, and the page frame's data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from pbx_bridge.core.console_access import Area
from pbx_bridge.web.auth.guard import Caller
from pbx_bridge.web.formats import german_number, german_percent, german_seconds, wait_text

TEMPLATES = Path(__file__).resolve().parent / "templates"

NAVIGATION = (
    (Area.TODAY, "/", "Today"),
    (Area.REPORTS, "/reports", "Reports"),
    (Area.CALLS, "/calls", "Calls"),
    (Area.TICKETS, "/tickets", "Tickets"),
    (Area.EXPORT, "/export", "Export"),
)


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=jinja2.Undefined
    )
    env.filters["num"] = german_number
    env.filters["pct"] = german_percent
    env.filters["secs"] = german_seconds
    env.filters["wait"] = wait_text
    return Jinja2Templates(env=env)


def render(
    request: Request,
    template: str,
    caller: Caller | None,
    values: dict[str, Any],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    context = request.app.state.context
    page: dict[str, Any] = {
        "center": context.config.directory.center.name,
        "caller": caller,
        "navigation": [
            (href, label, area)
            for area, href, label in NAVIGATION
            if caller is not None and caller.principal.may_enter(area)
        ],
        "tenant_names": context.tenant_names(),
        **values,
    }
    return templates.TemplateResponse(request, template, page, status_code=status_code)
