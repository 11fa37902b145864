"""Tenant isolation: every role x every endpoint x another tenant's data gets 403/404 and
not one byte of that tenant's data, by page, by API, by export and by guessing ids."""

from __future__ import annotations

import pytest

from tests.unit.web.console_bed import MEINERSEN_MARK, Console

# (path, query) of every endpoint that reads tenant data, asked for meinersen's.
FOREIGN = [
    ("/reports", {"tenant": "meinersen", "period": "this-year"}),
    ("/calls", {"tenant": "meinersen"}),
    ("/tickets", {"tenant": "meinersen"}),
    ("/tickets", {"tenant": "meinersen", "status": "done"}),
    ("/export/report.csv", {"tenant": "meinersen", "period": "this-year"}),
    ("/export/report.xlsx", {"tenant": "meinersen", "period": "this-year"}),
    ("/export/calls.csv", {"tenant": "meinersen"}),
    ("/export/calls.xlsx", {"tenant": "meinersen"}),
    ("/api/v1/report", {"tenant": "meinersen", "from": "2026-01-01", "to": "2026-12-31"}),
    ("/api/v1/calls", {"tenant": "meinersen"}),
    ("/api/v1/tickets", {"tenant": "meinersen"}),
]
ALL_TENANTS = [
    ("/reports", {"tenant": "all", "period": "this-year"}),
    ("/export/report.csv", {"tenant": "all", "period": "this-year"}),
    ("/api/v1/report", {"tenant": "all", "from": "2026-01-01", "to": "2026-12-31"}),
]
OUTSIDERS = ["gif", "agent-gif"]


def _assert_refused(status: int, body: bytes) -> None:
    assert status in (403, 404), status
    assert MEINERSEN_MARK.encode() not in body
    assert b"Samtgemeinde Meinersen" not in body


@pytest.mark.parametrize("name", OUTSIDERS)
@pytest.mark.parametrize(("path", "query"), FOREIGN + ALL_TENANTS)
def test_another_tenants_data_is_refused_by_session(
    bed: Console, name: str, path: str, query: dict[str, str]
) -> None:
    response = bed.signed_in(name).get(path, params=query)
    _assert_refused(response.status_code, response.content)


@pytest.mark.parametrize("name", OUTSIDERS)
@pytest.mark.parametrize(("path", "query"), FOREIGN + ALL_TENANTS)
def test_another_tenants_data_is_refused_by_token(
    bed: Console, name: str, path: str, query: dict[str, str]
) -> None:
    response = bed.client().get(path, params=query, headers=bed.bearer(name))
    _assert_refused(response.status_code, response.content)


@pytest.mark.parametrize("name", OUTSIDERS)
def test_unfiltered_listings_hold_only_own_tenants(bed: Console, name: str) -> None:
    client = bed.signed_in(name)
    for path in ("/", "/calls", "/tickets", "/api/v1/calls", "/api/v1/tickets", "/api/v1/today"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert MEINERSEN_MARK.encode() not in response.content, path
        assert b"meinersen" not in response.content.lower(), path
    calls = client.get("/api/v1/calls").json()["calls"]
    assert calls
    assert {c["tenant"] for c in calls} == {"gifhorn"}


def test_guessing_another_tenants_ticket_id_finds_nothing(bed: Console) -> None:
    foreign = bed.tickets["meinersen"][0]
    for name in OUTSIDERS:
        client = bed.signed_in(name)
        page = client.get("/tickets")
        csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        response = client.post(f"/tickets/{foreign}/done", data={"csrf": csrf, "note": "x"})
        _assert_refused(response.status_code, response.content)
        api = client.post(
            f"/api/v1/tickets/{foreign}/done", json={"note": "x"}, headers=bed.bearer(name)
        )
        _assert_refused(api.status_code, api.content)
    still = bed.client().get("/api/v1/tickets", headers=bed.bearer("mein")).json()["tickets"]
    assert foreign in [t["id"] for t in still]  # still open


@pytest.mark.parametrize(
    "path", ["/reports", "/export", "/export/calls.csv", "/export/report.csv", "/api/v1/report"]
)
def test_agents_have_no_reports_or_exports(bed: Console, path: str) -> None:
    query = {"tenant": "gifhorn", "from": "2026-12-01", "to": "2026-12-03"}
    response = bed.client().get(path, params=query, headers=bed.bearer("agent-gif"))
    assert response.status_code == 403


def test_agents_see_todays_calls_only(bed: Console) -> None:
    client = bed.client()
    headers = bed.bearer("agent-gif")
    today = client.get("/api/v1/calls", headers=headers).json()["calls"]
    assert {c["started"][:10] for c in today} == {"2026-12-03"}
    older = client.get("/api/v1/calls", params={"from": "2026-11-01"}, headers=headers)
    assert older.status_code == 403


def test_center_sees_every_tenant_and_the_unrouted_calls(bed: Console) -> None:
    client = bed.client()
    headers = bed.bearer("lead")
    calls = client.get("/api/v1/calls", params={"per_page": "100"}, headers=headers).json()
    assert {c["tenant"] for c in calls["calls"]} == {"gifhorn", "meinersen", None}
    report = client.get(
        "/api/v1/report",
        params={"tenant": "all", "from": "2026-01-01", "to": "2026-12-31"},
        headers=headers,
    ).json()
    assert report["total_calls"] == 11


@pytest.mark.parametrize("path", ["/", "/reports", "/calls", "/tickets", "/export"])
def test_pages_without_a_session_send_to_the_login(bed: Console, path: str) -> None:
    response = bed.client().get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("path", ["/api/v1/report", "/api/v1/calls", "/api/v1/tickets"])
def test_api_without_credentials_answers_401(bed: Console, path: str) -> None:
    assert bed.client().get(path).status_code == 401
    forged = {"Authorization": "Bearer not-a-token"}
    assert bed.client().get(path, headers=forged).status_code == 401
