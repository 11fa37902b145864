"""Sign-in, sessions, form tokens, hostile filters: what an attacker tries gets nowhere."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pbx_bridge.core.console_access import Role
from tests.unit.web.console_bed import NOW, PASSWORD, Console, form_token, sign_in


def _audit_events(bed: Console) -> list[tuple[str, str | None]]:
    return [(event, user) for _at, event, user, _a, _d in bed.context.accounts.audit_entries(500)]


def test_a_wrong_password_is_refused_and_audited(bed: Console) -> None:
    response = sign_in(bed.client(), "gif", "not the password")
    assert response.status_code == 401
    assert "Wrong user or password." in response.text
    assert "pbxb_session" not in response.cookies
    assert ("login_failed", "gif") in _audit_events(bed)


def test_an_unknown_account_gets_the_same_answer(bed: Console) -> None:
    response = sign_in(bed.client(), "nobody", PASSWORD)
    assert response.status_code == 401
    assert "Wrong user or password." in response.text


def test_an_account_is_locked_after_five_failures_even_with_the_right_password(
    bed: Console,
) -> None:
    bed.context.accounts.add_user("lockme", Role.SUPERVISOR, ("gifhorn",), PASSWORD, NOW)
    for _ in range(5):
        assert sign_in(bed.client(), "lockme", "wrong password").status_code == 401
    locked = sign_in(bed.client(), "lockme", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.text
    assert ("login_locked", "lockme") in _audit_events(bed)
    bed.clock.now = NOW + timedelta(minutes=16)  # the window has passed
    try:
        assert sign_in(bed.client(), "lockme", PASSWORD).status_code == 303
    finally:
        bed.clock.now = NOW


def test_a_successful_login_sets_a_strict_http_only_cookie_and_is_audited(bed: Console) -> None:
    response = sign_in(bed.client(), "mein", PASSWORD, next_page="/calls")
    assert response.status_code == 303
    assert response.headers["location"] == "/calls"
    cookie = response.headers["set-cookie"]
    assert "pbxb_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "samesite=strict" in cookie.lower()
    assert ("login", "mein") in _audit_events(bed)


def test_login_never_redirects_to_another_site(bed: Console) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = sign_in(bed.client(), "mein", PASSWORD, next_page=target)
        assert response.headers["location"] == "/"


def test_login_without_or_with_a_forged_form_token_is_refused(bed: Console) -> None:
    client = bed.client()
    client.get("/login")
    missing = client.post("/login", data={"name": "gif", "password": PASSWORD})
    assert missing.status_code == 403
    forged = client.post("/login", data={"name": "gif", "password": PASSWORD, "csrf": "forged"})
    assert forged.status_code == 403
    assert "pbxb_session" not in forged.cookies


def test_forms_without_or_with_a_forged_form_token_change_nothing(bed: Console) -> None:
    client = bed.signed_in("gif")
    ticket = bed.tickets["gifhorn"][0]
    assert client.post(f"/tickets/{ticket}/done", data={"note": "x"}).status_code == 403
    forged = client.post(f"/tickets/{ticket}/done", data={"note": "x", "csrf": "forged"})
    assert forged.status_code == 403
    by_cookie = client.post(f"/api/v1/tickets/{ticket}/done", json={"note": "x"})
    assert by_cookie.status_code == 403  # the session cookie alone needs X-CSRF-Token
    assert client.post("/logout", data={}).status_code == 403
    open_ids = [t["id"] for t in client.get("/api/v1/tickets").json()["tickets"]]
    assert ticket in open_ids


def test_an_expired_session_sends_back_to_the_login(bed: Console) -> None:
    client = bed.signed_in("gif")
    assert client.get("/calls").status_code == 200
    bed.clock.now = NOW + bed.context.settings.session_lifetime + timedelta(seconds=1)
    try:
        response = client.get("/calls")
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")
        assert client.get("/api/v1/calls").status_code == 401
    finally:
        bed.clock.now = NOW


def test_signing_out_ends_the_session(bed: Console) -> None:
    client = bed.signed_in("gif")
    csrf = form_token(client.get("/").text)
    assert client.post("/logout", data={"csrf": csrf}).status_code == 303
    client.cookies.clear()
    assert client.get("/").status_code == 303


def test_a_removed_users_token_and_session_stop_working(bed: Console) -> None:
    accounts = bed.context.accounts
    accounts.add_user("leaver", Role.SUPERVISOR, ("gifhorn",), PASSWORD, NOW)
    token = accounts.new_api_token("leaver", NOW)
    client = bed.signed_in("leaver")
    headers = {"Authorization": f"Bearer {token}"}
    assert bed.client().get("/api/v1/calls", headers=headers).status_code == 200
    assert accounts.remove_user("leaver")
    assert bed.client().get("/api/v1/calls", headers=headers).status_code == 401
    assert client.get("/calls").status_code == 303


HOSTILE = [
    "' OR '1'='1",
    "gifhorn' --",
    "1; DROP TABLE calls; --",
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "%00",
    "x" * 5000,
]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(
    "key",
    [
        "tenant",
        "outcome",
        "day",
        "department",
        "from",
        "to",
        "page",
        "per_page",
        "status",
        "period",
    ],
)
def test_hostile_filters_are_refused_or_escaped_never_a_stack_trace(
    bed: Console, key: str, value: str
) -> None:
    client = bed.client()
    client.headers.update(bed.bearer("lead"))
    for path in ("/calls", "/api/v1/calls", "/reports", "/tickets", "/export/calls.csv"):
        response = client.get(path, params={key: value})
        assert response.status_code in (200, 400, 403), (path, response.status_code)
        body = response.text
        assert "Traceback" not in body
        assert "sqlalchemy" not in body.lower()
        if response.headers["content-type"].startswith("text/html"):
            assert "<script>alert" not in body
            assert "<img src=x" not in body
        else:  # JSON or CSV: never read as HTML (nosniff)
            assert response.headers["x-content-type-options"] == "nosniff"
    # The table is still there.
    assert client.get("/api/v1/calls").json()["total"] == 11


def test_pages_carry_a_content_security_policy_without_third_party_sources(bed: Console) -> None:
    response = bed.client().get("/login")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "http" not in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert "https://" not in response.text  # no CDN
