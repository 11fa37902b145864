"""The JSON API returns what the CLI prints: the same builder, the same keys."""

from __future__ import annotations

import pytest

from pbx_bridge.cli.calls import HEADERS as CALL_HEADERS
from tests.unit.cli_reports.console import pbx_bridge
from tests.unit.web.console_bed import Console


@pytest.mark.parametrize(
    ("name", "tenant"), [("gif", "gifhorn"), ("lead", "meinersen"), ("lead", "all")]
)
def test_report_api_equals_the_report_command(
    bed: Console, capsys: pytest.CaptureFixture[str], name: str, tenant: str
) -> None:
    period = {"from": "2026-06-01", "to": "2026-12-31"}
    api = bed.client().get(
        "/api/v1/report", params={"tenant": tenant, **period}, headers=bed.bearer(name)
    )
    assert api.status_code == 200
    cli = pbx_bridge(
        capsys,
        bed.config,
        "report",
        "--tenant",
        tenant,
        "--from",
        period["from"],
        "--to",
        period["to"],
        "--format",
        "json",
    ).json()
    assert api.json() == cli


@pytest.mark.parametrize(("node", "calls"), [("ast1", 5), ("ast-other", 0)])
def test_report_api_per_node_equals_the_report_command(
    bed: Console, capsys: pytest.CaptureFixture[str], node: str, calls: int
) -> None:
    period = {"from": "2026-06-01", "to": "2026-12-31"}
    params = {"tenant": "gifhorn", "node": node, **period}
    api = bed.client().get("/api/v1/report", params=params, headers=bed.bearer("gif"))
    assert api.status_code == 200
    cli = pbx_bridge(
        capsys,
        bed.config,
        "report",
        *("--tenant", "gifhorn", "--node", node, "--format", "json"),
        *("--from", period["from"], "--to", period["to"]),
    ).json()
    assert api.json() == cli
    assert cli["node"] == node and cli["total_calls"] == calls


def test_calls_api_has_the_calls_command_keys_and_rows(
    bed: Console, capsys: pytest.CaptureFixture[str]
) -> None:
    api = (
        bed.client()
        .get(
            "/api/v1/calls",
            params={"tenant": "gifhorn", "from": "2026-01-01", "to": "2026-12-31", "per_page": "2"},
            headers=bed.bearer("gif"),
        )
        .json()
    )
    assert api["total"] == 5
    assert api["page"] == 1
    assert len(api["calls"]) == 2
    assert list(api["calls"][0]) == list(CALL_HEADERS)
    cli = pbx_bridge(
        capsys,
        bed.config,
        "calls",
        "--tenant",
        "gifhorn",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--format",
        "json",
    ).json()
    # The API pages newest first; the CLI lists oldest first: the same rows.
    assert api["calls"] == list(reversed(cli))[:2]
    second = (
        bed.client()
        .get(
            "/api/v1/calls",
            params={
                "tenant": "gifhorn",
                "from": "2026-01-01",
                "to": "2026-12-31",
                "per_page": "2",
                "page": "3",
            },
            headers=bed.bearer("gif"),
        )
        .json()
    )
    assert second["calls"] == list(reversed(cli))[4:]


def test_calls_api_filters_by_outcome_day_and_department(bed: Console) -> None:
    client, headers = bed.client(), bed.bearer("lead")

    def ids(**query: str) -> set[str]:
        found = client.get("/api/v1/calls", params=query, headers=headers).json()["calls"]
        return {c["call_id"] for c in found}

    assert ids(outcome="abandoned") == {"g-3", "m-3"}
    assert ids(day="2026-11-20") == {"g-4", "m-4"}
    assert ids(department="Kfz-Zulassung", day="2026-12-03") == {"g-1", "g-2", "g-3"}
    assert ids(tenant="meinersen", outcome="abandoned") == {"m-3"}


def test_tickets_api_lists_open_overdue_and_done(bed: Console) -> None:
    client, headers = bed.client(), bed.bearer("mein")
    listed = client.get("/api/v1/tickets", headers=headers).json()["tickets"]
    assert {t["tenant"] for t in listed} == {"meinersen"}
    assert len(listed) >= 3
    overdue = client.get("/api/v1/tickets", params={"status": "overdue"}, headers=headers).json()
    assert all(t["overdue"] for t in overdue["tickets"])
    assert (
        client.get("/api/v1/tickets", params={"status": "bogus"}, headers=headers).status_code
        == 400
    )
