"""Turn one structurally valid tenant file into a core Tenant, reporting meaning errors by line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from pbx_bridge.config.agent_keys import callback_after, knowledge_url_error, overflow_policy
from pbx_bridge.config.errors import ConfigIssue
from pbx_bridge.config.exception_rules import build_exception_days, valid_entries
from pbx_bridge.config.hours_syntax import parse_day_key, parse_ranges
from pbx_bridge.config.schema import TenantModel
from pbx_bridge.config.yaml_lines import LineMap
from pbx_bridge.core.exception_days import NO_EXCEPTIONS, ExceptionDays
from pbx_bridge.core.holidays import StateHolidays, state_codes
from pbx_bridge.core.numbers import InvalidNumberError, normalise
from pbx_bridge.core.schedule import (
    WEEKDAY_NAMES,
    HolidayCalendar,
    NoHolidays,
    Schedule,
    TimeRange,
)
from pbx_bridge.core.tenants import ClosedAction, ClosedPolicy, Tenant, TenantNumber


@dataclass
class TenantContext:
    file: Path
    lines: LineMap
    timezone: ZoneInfo
    region: str
    default_queue: str
    center_exceptions: ExceptionDays = NO_EXCEPTIONS
    data: object = None  # the file's raw mapping when the model is salvaged
    issues: list[ConfigIssue] = field(default_factory=list)
    # Every readable number with its list index, also when other keys have errors,
    # so that clashes with other tenants are reported in the same run.
    numbers: list[tuple[int, TenantNumber]] = field(default_factory=list)

    def error(self, path: tuple[str | int, ...], message: str) -> None:
        self.issues.append(ConfigIssue(self.file, self.lines.line_of(path), message))


def build_tenant(model: TenantModel, ctx: TenantContext) -> Tenant | None:
    """The Tenant, or None when any meaning error was recorded in `ctx.issues`."""
    before = len(ctx.issues)
    numbers = _numbers(model, ctx)
    weekly = _weekly(model, ctx)
    exceptions = _exceptions(model, ctx)
    calendar = _holidays(model, ctx)
    closed = _closed(model, ctx)
    overflow = overflow_policy(model.overflow, ctx.region, ctx.error)
    if model.knowledge_url is not None and (error := knowledge_url_error(model.knowledge_url)):
        ctx.error(("knowledge_url",), error)
    if len(ctx.issues) > before or calendar is None or closed is None or overflow is None:
        return None
    schedule = Schedule(ctx.timezone, weekly, exceptions, calendar, ctx.center_exceptions)
    return Tenant(
        id=model.id,
        name=model.name,
        greeting=model.greeting,
        greeting_text=model.greeting_text,
        holidays=model.holidays.upper() if model.holidays.lower() != "none" else "none",
        queue=model.queue or ctx.default_queue,
        priority=model.priority,
        numbers=numbers,
        schedule=schedule,
        closed=closed,
        short_name=model.short_name,
        knowledge_url=model.knowledge_url,
        whisper=model.whisper,
        callback_offer_after_s=callback_after(model.callback_offer_after_s),
        overflow=overflow,
        announce_every_s=model.announce_every_s,
    )


def _numbers(model: TenantModel, ctx: TenantContext) -> tuple[TenantNumber, ...]:
    out: list[TenantNumber] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(model.numbers):
        path = ("numbers", index, "number")
        try:
            e164 = normalise(entry.number, ctx.region)
        except InvalidNumberError as exc:
            ctx.error(path, f"cannot read number: {exc}")
            continue
        if e164 in seen:
            ctx.error(path, f"number {entry.number!r} is listed twice in this file ({e164})")
            continue
        seen[e164] = index
        out.append(TenantNumber(e164, entry.department, entry.number, entry.department_short))
        ctx.numbers.append((index, out[-1]))
    return tuple(out)


def _weekly(model: TenantModel, ctx: TenantContext) -> tuple[tuple[TimeRange, ...], ...]:
    days: list[tuple[TimeRange, ...]] = [()] * 7
    set_by: dict[int, str] = {}
    for key, value in model.hours.items():
        path = ("hours", key)
        try:
            weekdays = parse_day_key(key)
        except ValueError as exc:
            ctx.error(path, f"hours: {exc}")
            continue
        try:
            ranges = parse_ranges(value)
        except ValueError as exc:
            ctx.error(path, f"hours {key}: {exc}")
            continue
        for weekday in weekdays:
            if weekday in set_by:
                name = WEEKDAY_NAMES[weekday]
                ctx.error(path, f"hours: {name} is already set by {set_by[weekday]!r}")
                continue
            set_by[weekday] = key
            days[weekday] = ranges
    return tuple(days)


def _exceptions(model: TenantModel, ctx: TenantContext) -> ExceptionDays:
    raw = ctx.data.get("exceptions") if isinstance(ctx.data, dict) else None
    # Salvaged from a file with structural errors: the raw list, entry by entry.
    entries = list(enumerate(model.exceptions)) if ctx.data is None else valid_entries(raw)
    return build_exception_days(
        entries,
        lambda path, message: ctx.error(("exceptions", *path), message),
        lambda index: ctx.lines.line_of(("exceptions", index)),
    )


def _holidays(model: TenantModel, ctx: TenantContext) -> HolidayCalendar | None:
    code = model.holidays.strip()
    if code.lower() == "none":
        return NoHolidays()
    if code.upper() in state_codes():
        return StateHolidays(code.upper())
    known = ", ".join(c for c in state_codes() if len(c) == 2)
    ctx.error(
        ("holidays",), f"unknown state code {code!r} for holidays (use one of {known}, or none)"
    )
    return None


def _closed(model: TenantModel, ctx: TenantContext) -> ClosedPolicy | None:
    closed = model.closed
    action = ClosedAction(closed.action)
    forward_to: str | None = None
    if action is ClosedAction.FORWARD:
        if closed.forward_to is None:
            ctx.error(
                ("closed", "action"), "closed.action is 'forward' but closed.forward_to is missing"
            )
            return None
        try:
            forward_to = normalise(closed.forward_to, ctx.region)
        except InvalidNumberError as exc:
            ctx.error(("closed", "forward_to"), f"cannot read closed.forward_to: {exc}")
            return None
    elif closed.forward_to is not None:
        ctx.error(
            ("closed", "forward_to"), "closed.forward_to is set but closed.action is not 'forward'"
        )
        return None
    return ClosedPolicy(closed.announcement, action, forward_to)
