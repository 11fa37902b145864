"""GET /export (choices) and the four downloads; every download is in the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from pbx_bridge.cli.calls import HEADERS as CALL_HEADERS
from pbx_bridge.cli.calls import as_json as call_json
from pbx_bridge.core.console_access import Area
from pbx_bridge.core.named_periods import PERIODS
from pbx_bridge.reporting.figures import long_rows
from pbx_bridge.web import selection
from pbx_bridge.web.auth.guard import Caller, client_address, console, require
from pbx_bridge.web.calls.queries import CallQuery, stream_calls
from pbx_bridge.web.calls.service import call_query
from pbx_bridge.web.context import ConsoleContext
from pbx_bridge.web.export.spreadsheets import Cell, german_csv, xlsx_file
from pbx_bridge.web.rendering import render
from pbx_bridge.web.reports.service import report_json

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_HEADERS = ("metric", "key", "value")


def page(request: Request) -> Response:
    caller = require(request, Area.EXPORT)
    context = console(request)
    return render(
        request,
        "export.html",
        caller,
        {
            "title": "Export",
            "active": Area.EXPORT,
            "periods": PERIODS,
            "tenants": caller.principal.visible(context.tenant_names()),
            "all_allowed": caller.principal.sees_everything,
        },
    )


def _audit(request: Request, caller: Caller, what: str) -> None:
    context = console(request)
    context.accounts.audit(
        "export",
        context.clock(),
        user=caller.principal.name,
        address=client_address(request),
        detail=f"{what}?{request.url.query}"[:500],
    )


def _report(request: Request) -> tuple[Caller, dict[str, Any]]:
    caller = require(request, Area.EXPORT)
    context = console(request)
    params = request.query_params
    period = selection.period(params, context.today())
    data = report_json(context, caller.principal, selection.text(params, "tenant"), period)
    return caller, data


def _filename(data: dict[str, Any], suffix: str) -> str:
    return f"report-{data['tenant']}-{data['from']}-{data['to']}.{suffix}"


def _download(name: str) -> dict[str, str]:
    return {"content-disposition": f'attachment; filename="{name}"'}


def report_csv(request: Request) -> Response:
    caller, data = _report(request)
    _audit(request, caller, "report.csv")
    body = b"".join(german_csv(REPORT_HEADERS, long_rows(data)))
    return Response(body, media_type=CSV_TYPE, headers=_download(_filename(data, "csv")))


def report_xlsx(request: Request) -> Response:
    caller, data = _report(request)
    _audit(request, caller, "report.xlsx")
    target = xlsx_file("report", REPORT_HEADERS, long_rows(data))
    return StreamingResponse(
        _chunks(target),
        media_type=XLSX_TYPE,
        headers=_download(_filename(data, "xlsx")),
        background=BackgroundTask(target.close),
    )


def _chunks(source: Any, size: int = 65536) -> Iterator[bytes]:
    while chunk := source.read(size):
        yield chunk


def _calls(request: Request) -> tuple[Caller, ConsoleContext, CallQuery]:
    caller = require(request, Area.EXPORT)
    context = console(request)
    query = call_query(context, caller.principal, selection.call_filter(request.query_params))
    return caller, context, query


def _call_rows(context: ConsoleContext, query: CallQuery) -> Iterator[list[Cell]]:
    zone = context.call_log.zone
    with context.call_log.engine.connect() as connection:
        for record in stream_calls(connection, query):
            row = call_json(record, zone)
            yield [row[h] for h in CALL_HEADERS]


def calls_csv(request: Request) -> Response:
    caller, context, query = _calls(request)
    _audit(request, caller, "calls.csv")
    return StreamingResponse(
        german_csv(CALL_HEADERS, _call_rows(context, query)),
        media_type=CSV_TYPE,
        headers=_download("calls.csv"),
    )


def calls_xlsx(request: Request) -> Response:
    caller, context, query = _calls(request)
    _audit(request, caller, "calls.xlsx")
    target = xlsx_file("calls", CALL_HEADERS, _call_rows(context, query))
    return StreamingResponse(
        _chunks(target),
        media_type=XLSX_TYPE,
        headers=_download("calls.xlsx"),
        background=BackgroundTask(target.close),
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/export", page, methods=["GET"]),
        Route("/export/report.csv", report_csv, methods=["GET"]),
        Route("/export/report.xlsx", report_xlsx, methods=["GET"]),
        Route("/export/calls.csv", calls_csv, methods=["GET"]),
        Route("/export/calls.xlsx", calls_xlsx, methods=["GET"]),
    ]
