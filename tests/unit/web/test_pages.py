"""Each page renders the figures of the caller's tenants."""

from __future__ import annotations

from tests.unit.web.console_bed import MEINERSEN_MARK, Console


def test_today_shows_each_tenant_with_service_level_and_waiting_callers(bed: Console) -> None:
    page = bed.signed_in("lead").get("/")
    assert page.status_code == 200
    assert "Landkreis Gifhorn" in page.text
    assert "Whole center" in page.text
    board = bed.signed_in("gif").get("/api/v1/today").json()
    [gifhorn] = board["tenants"]
    assert gifhorn["tenant"] == "gifhorn"
    assert gifhorn["calls"] == 3
    assert gifhorn["answered"] == 2
    assert gifhorn["service_level"] == 33.3  # 1 of 3 offered within 20 s
    assert gifhorn["asa_s"] == 25.0
    assert gifhorn["waiting"] == 2
    assert gifhorn["longest_wait_s"] == 75.0
    assert gifhorn["tickets_open"] == 4
    assert gifhorn["tickets_overdue"] == 2
    assert board["total"] is None


def test_reports_page_draws_the_charts_of_the_period(bed: Console) -> None:
    page = bed.signed_in("gif").get("/reports", params={"period": "this-year"})
    assert page.status_code == 200, page.text
    assert "Calls per month" in page.text
    assert page.text.count("<svg") == 4
    assert MEINERSEN_MARK not in page.text


def test_calls_page_lists_masked_numbers_newest_first(bed: Console) -> None:
    page = bed.signed_in("gif").get("/calls")
    assert page.status_code == 200
    assert "+49537199xxx" in page.text
    assert page.text.index("2026-12-03") < page.text.index("2026-06-02")


def test_tickets_and_export_pages_render(bed: Console) -> None:
    client = bed.signed_in("gif")
    assert client.get("/tickets").status_code == 200
    assert client.get("/tickets", params={"status": "overdue"}).status_code == 200
    assert client.get("/export").status_code == 200
