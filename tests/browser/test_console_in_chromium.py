"""A supervisor, an agent and the center's lead use the console in a real Chromium: sign in,
every page, a ticket marked done, exports downloaded and opened, the Today board updating
itself. Screenshots of every page go to docs/screenshots/ when PBXB_SCREENSHOTS=1."""

from __future__ import annotations

import csv
import io
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select, WebDriverWait

from pbx_bridge.config.loader import load_config
from pbx_bridge.core.calls import CallRecord, Outcome
from pbx_bridge.storage.opening import open_call_log
from tests.browser.chromium import chromium, require_chromium
from tests.browser.sample_center import PASSWORD, RunningConsole, running_console

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningConsole]:
    require_chromium()
    with running_console(tmp_path_factory.mktemp("center")) as running:
        yield running


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


@pytest.fixture
def browser(tmp_path: Path, downloads: Path) -> Iterator[webdriver.Chrome]:
    with chromium(tmp_path / "profile", downloads) as driver:
        yield driver


def shoot(driver: webdriver.Chrome, name: str) -> None:
    if os.environ.get("PBXB_SCREENSHOTS") == "1":
        height = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(1280, min(max(int(height) + 40, 700), 2400))
        driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
        driver.set_window_size(1280, 900)


def wait_for(
    driver: webdriver.Chrome, condition: Callable[[webdriver.Chrome], object], timeout: float = 10
) -> None:
    WebDriverWait(driver, timeout).until(condition)


def sign_in(
    driver: webdriver.Chrome, console: RunningConsole, name: str, password: str = PASSWORD
) -> None:
    driver.get(console.url + "/login")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(password)
    button = driver.find_element(By.ID, "sign-in")
    button.click()
    # The next page (or the login page again, with its error) has replaced this one: the
    # session cookie is set before the test asks for another page.
    wait_for(driver, staleness_of(button))


def downloaded(folder: Path, suffix: str, timeout: float = 20) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.suffix == suffix]
        if done:
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} download in {folder}: {list(folder.iterdir())}")


def test_a_wrong_password_shows_an_error_and_keeps_the_login(
    console: RunningConsole, browser: webdriver.Chrome
) -> None:
    sign_in(browser, console, "gifhorn", "falsch")
    alert = browser.find_element(By.CSS_SELECTOR, "p.error")
    assert alert.text == "Wrong user or password."
    assert browser.current_url.endswith("/login")
    browser.find_element(By.ID, "password").clear()
    shoot(browser, "login")


def test_the_lead_sees_every_tenant_today_and_the_board_updates_itself(
    console: RunningConsole, browser: webdriver.Chrome
) -> None:
    sign_in(browser, console, "leitung")
    wait_for(browser, lambda d: d.find_elements(By.ID, "today"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#today tbody tr")
    names = [r.find_element(By.TAG_NAME, "th").text for r in rows]
    assert "Landkreis Gifhorn" in names
    assert "Samtgemeinde Meinersen" in names
    gifhorn = browser.find_element(By.CSS_SELECTOR, '#today tr[data-tenant="gifhorn"]')
    assert gifhorn.find_element(By.CSS_SELECTOR, '[data-k="waiting"]').text == "3"
    assert gifhorn.find_element(By.CSS_SELECTOR, '[data-k="longest_wait_s"]').text == "1:14"
    shoot(browser, "today")
    cell = gifhorn.find_element(By.CSS_SELECTOR, '[data-k="calls"]')
    before = int(cell.text.replace(".", ""))
    _one_more_call(console, "gifhorn")
    wait_for(browser, lambda d: int(cell.text.replace(".", "")) == before + 1, timeout=25)
    assert browser.execute_script("return performance.navigation.type") == 0  # no reload


def _one_more_call(console: RunningConsole, tenant: str) -> None:
    now = datetime.now(UTC)
    log = open_call_log(load_config(console.config))
    log.write_record(
        CallRecord(
            call_id=f"live-{now.timestamp()}",
            node="asterisk-1",
            started=now - timedelta(seconds=90),
            ended=now - timedelta(seconds=10),
            outcome=Outcome.RESOLVED,
            tenant=tenant,
            department="Zentrale",
            queued=now - timedelta(seconds=85),
            answered=now - timedelta(seconds=80),
            wait_s=5.0,
            talk_s=70.0,
        )
    )
    log.close()


def test_a_supervisor_reads_the_year_report_with_charts(
    console: RunningConsole, browser: webdriver.Chrome
) -> None:
    sign_in(browser, console, "gifhorn")
    browser.find_element(By.LINK_TEXT, "Reports").click()
    Select(browser.find_element(By.ID, "period")).select_by_value("this-year")
    browser.find_element(By.CSS_SELECTOR, "#report-form button").click()
    wait_for(browser, lambda d: "this-year" in d.current_url)
    assert int(browser.find_element(By.ID, "kpi-calls").text.replace(".", "")) > 1000
    assert browser.find_element(By.ID, "kpi-sl").text.endswith("%")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".charts svg")) == 4
    tenants = [
        o.get_attribute("value") for o in Select(browser.find_element(By.ID, "tenant")).options
    ]
    assert tenants == ["gifhorn"]  # no 'all', no other municipality
    shoot(browser, "reports")


def test_a_supervisor_filters_calls_by_outcome_and_pages(
    console: RunningConsole, browser: webdriver.Chrome
) -> None:
    sign_in(browser, console, "gifhorn", PASSWORD)
    browser.get(console.url + "/calls")
    Select(browser.find_element(By.ID, "outcome")).select_by_value("abandoned")
    browser.find_element(By.CSS_SELECTOR, "#calls-form button").click()
    wait_for(browser, lambda d: "outcome=abandoned" in d.current_url)
    cells = browser.find_elements(By.CSS_SELECTOR, "#calls tbody tr td:nth-child(4)")
    assert cells
    assert {c.text for c in cells} == {"abandoned"}
    callers = browser.find_elements(By.CSS_SELECTOR, "#calls tbody tr td:nth-child(7)")
    assert all(c.text.endswith("xxx") for c in callers)  # masked as stored
    browser.find_element(By.ID, "next").click()
    wait_for(browser, lambda d: "page=2" in d.current_url)
    shoot(browser, "calls")


def test_an_agent_marks_a_ticket_done_with_a_note(
    console: RunningConsole, browser: webdriver.Chrome
) -> None:
    sign_in(browser, console, "agent")
    assert [a.text for a in browser.find_elements(By.CSS_SELECTOR, "header nav a")] == [
        "Today",
        "Calls",
        "Tickets",
    ]
    browser.find_element(By.LINK_TEXT, "Tickets").click()
    shoot(browser, "tickets")
    row = browser.find_elements(By.CSS_SELECTOR, "#tickets tbody tr")[0]
    ticket_id = row.get_attribute("id")
    assert ticket_id is not None
    row.find_element(By.NAME, "note").send_keys("Rückruf erledigt, Termin vereinbart")
    row.find_element(By.TAG_NAME, "button").click()
    wait_for(browser, lambda d: d.find_elements(By.ID, "done-message"))
    assert not browser.find_elements(By.ID, ticket_id)
    browser.find_element(By.ID, "tab-done").click()
    done = browser.find_element(By.ID, ticket_id)
    assert "Rückruf erledigt, Termin vereinbart" in done.text
    assert "+49999820" not in done.text  # the caller's number is forgotten once done


def test_exports_download_and_open_in_a_spreadsheet(
    console: RunningConsole, browser: webdriver.Chrome, downloads: Path
) -> None:
    sign_in(browser, console, "gifhorn")
    browser.find_element(By.LINK_TEXT, "Export").click()
    shoot(browser, "export")
    browser.find_element(By.ID, "export-calls-csv").click()
    csv_file = downloaded(downloads, ".csv")
    text = csv_file.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0][:4] == ["started", "tenant", "department", "outcome"]
    assert len(rows) > 1000
    assert {r[1] for r in rows[1:]} == {"gifhorn"}
    assert any("," in r[4] for r in rows[1:] if r[4])  # decimal comma in wait_s
    browser.find_element(By.ID, "export-report-xlsx").click()
    xlsx_file = downloaded(downloads, ".xlsx")
    sheet = load_workbook(xlsx_file, read_only=True).active
    assert sheet is not None
    rows_back = sheet.iter_rows(min_row=2, values_only=True)
    figures = {(r[0], r[1] or ""): r[2] for r in rows_back}  # an empty cell reads as None
    assert figures[("tenant", "")] == "gifhorn"
    assert isinstance(figures[("total_calls", "")], int)
