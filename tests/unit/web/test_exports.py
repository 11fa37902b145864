"""Exports open in German Excel (CSV) and any spreadsheet (XLSX), are audited, and stream."""

from __future__ import annotations

import csv
import io
import resource
import threading
from datetime import timedelta

from openpyxl import load_workbook

from pbx_bridge.core.calls import CallRecord, Outcome
from pbx_bridge.web.export.spreadsheets import german_csv
from tests.unit.core.factories import at
from tests.unit.web.console_bed import Console


def _csv(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the BOM
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_report_csv_uses_semicolons_and_decimal_commas(bed: Console) -> None:
    response = bed.client().get(
        "/export/report.csv",
        params={"tenant": "gifhorn", "from": "2026-12-03", "to": "2026-12-03"},
        headers=bed.bearer("gif"),
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = _csv(response.content)
    assert rows[0] == ["metric", "key", "value"]
    figures = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert figures[("total_calls", "")] == "3"
    assert figures[("service_level", "percent")] == "33,3"
    assert figures[("asa_s", "")] == "25,0"


def test_calls_xlsx_reads_back_with_the_calls_columns(bed: Console) -> None:
    response = bed.client().get(
        "/export/calls.xlsx", params={"tenant": "gifhorn"}, headers=bed.bearer("gif")
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("started", "tenant", "department", "outcome")
    assert len(rows) == 6
    assert {r[1] for r in rows[1:]} == {"gifhorn"}
    assert rows[1][4] == 10.0  # wait_s stays a number, not text


def test_every_export_is_in_the_audit_log(bed: Console) -> None:
    bed.client().get(
        "/export/calls.csv", params={"outcome": "abandoned"}, headers=bed.bearer("mein")
    )
    entries = bed.context.accounts.audit_entries(50)
    exports = [(user, detail) for _at, event, user, _addr, detail in entries if event == "export"]
    assert ("mein", "calls.csv?outcome=abandoned") in exports


def test_a_formula_in_a_note_is_defused_but_phone_numbers_stay() -> None:
    body = b"".join(german_csv(("a", "b"), [['=HYPERLINK("x")', "+49537182370"], [1.5, None]]))
    rows = _csv(body)
    assert rows[1] == ['\'=HYPERLINK("x")', "+49537182370"]
    assert rows[2] == ["1,5", ""]


def test_ten_thousand_calls_export_in_flat_memory(bed: Console) -> None:
    start = at("2025-01-06T08:00")
    records = [
        CallRecord(
            call_id=f"bulk-{n}",
            node="ast1",
            started=start + timedelta(seconds=30 * n),
            ended=start + timedelta(seconds=30 * n + 20),
            outcome=Outcome.RESOLVED,
            tenant="gifhorn",
            department="Bulk",
            wait_s=3.0,
            talk_s=17.0,
            caller="+49537112xxx",
        )
        for n in range(10_000)
    ]
    bed.context.call_log.write_records(records)
    query = {"tenant": "gifhorn", "from": "2025-01-01", "to": "2025-12-31"}
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with (
        bed.client() as client,
        client.stream(
            "GET", "/export/calls.csv", params=query, headers=bed.bearer("gif")
        ) as response,
    ):
        assert response.status_code == 200
        rows = 0
        for chunk in response.iter_bytes():
            rows += chunk.count(b"\r\n")
    assert rows == 10_001  # header + every call
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert grown_kib < 64 * 1024, f"peak memory grew by {grown_kib} KiB"
    assert threading.active_count() < 50
    # The CSV leaves the process in pieces of about 64 kB while the rows are read.
    chunks = list(german_csv(("call",), ([f"bulk-{n}-" + "x" * 40] for n in range(10_000))))
    assert len(chunks) > 5
    assert max(len(c) for c in chunks) < 70_000
    xlsx = bed.client().get("/export/calls.xlsx", params=query, headers=bed.bearer("gif"))
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    assert sheet is not None
    assert sum(1 for _ in sheet.iter_rows(values_only=True)) == 10_001
