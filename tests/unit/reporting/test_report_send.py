"""`report send`: one mail per tenant and address with its own month, sent once, failures
recorded and retried, through a real SMTP server."""

from __future__ import annotations

import csv
import io
import shutil
import ssl
import subprocess
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest
import trustme

from pbx_bridge.cli.report_send import EXIT_DELIVERY
from pbx_bridge.storage import CallLog
from tests.conftest import in_ci
from tests.unit.cli_reports.console import Run, pbx_bridge, write_config
from tests.unit.cli_reports.test_db_commands import open_log
from tests.unit.reporting.smtp_sink import free_port, smtp_sink
from tests.unit.storage.builders import answered
from tests.unit.storage.databases import sqlite_url
from tests.unit.storage.known_month import known_month

GIFHORN = ("leitung@gifhorn.example", "115@gifhorn.example")
MEINERSEN = "zentrale@meinersen.example"
NOVEMBER = ("--month", "2019-11")


def center(tmp_path: Path, port: int) -> Path:
    deliveries = f"""reports:
  service_level_thresholds_s: [30, 20]
  deliveries:
    - {{tenant: gifhorn, to: [{GIFHORN[0]}, {GIFHORN[1]}]}}
    - {{tenant: meinersen, to: [{MEINERSEN}], format: [csv]}}
smtp: {{host: 127.0.0.1, port: {port}, starttls: false, sender: berichte@servicecenter.example}}
"""
    config = write_config(tmp_path / "center", sqlite_url(tmp_path), deliveries)
    log = open_log(config)
    log.write_records(known_month("gifhorn"))
    # Meinersen's month is small and different, so a figure of one in the other's mail shows.
    log.write_records([answered(f"m{i}", "2019-11-05T10:00", tenant="meinersen") for i in range(7)])
    log.close()
    return config


def send(capsys: pytest.CaptureFixture[str], config: Path, *options: str) -> Run:
    return pbx_bridge(capsys, config, "report", "send", *options)


def mail_to(mails: list[tuple[list[str], EmailMessage]], address: str) -> EmailMessage:
    (found,) = [message for rcpt, message in mails if rcpt == [address]]
    return found


def files_of(message: EmailMessage) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for part in message.iter_attachments():
        name = part.get_filename() or ""
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        found[name.rsplit(".", 1)[-1]] = payload
    return found


def html_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("html",))
    assert body is not None
    content = body.get_content()
    assert isinstance(content, str)
    return content


def gifhorn_attachment(capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str) -> bytes:
    """The `kind` file (pdf, csv, xlsx) of the November mail to Gifhorn's first address."""
    with smtp_sink() as sink:
        config = center(tmp_path, sink.port)
        assert send(capsys, config, *NOVEMBER).code == 0
    return files_of(mail_to(sink.mails, GIFHORN[0]))[kind]


def test_each_tenant_gets_its_own_month_once_per_address(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with smtp_sink() as sink:
        config = center(tmp_path, sink.port)
        run = send(capsys, config, *NOVEMBER)
        assert run.code == 0, run.err
        assert sorted(rcpt[0] for rcpt, _ in sink.mails) == sorted([*GIFHORN, MEINERSEN])
        gifhorn = mail_to(sink.mails, GIFHORN[0])
        assert gifhorn["Subject"] == "Monatsbericht November 2019: Landkreis Gifhorn"
        html = html_of(gifhorn)
        assert "Servicelevel: angenommen in 30 s</td><td>75,0 % (150 von 200 angeboten)" in html
        assert "Servicelevel: angenommen in 20 s</td><td>60,0 % (120 von 200 angeboten)" in html
        assert "Erstlösungsquote</td><td>65,0 % (104 von 160 angenommen)" in html
        assert "Meinersen" not in html and "meinersen" not in html
        assert set(files_of(gifhorn)) == {"pdf", "csv", "xlsx"}
        meinersen = mail_to(sink.mails, MEINERSEN)
        assert set(files_of(meinersen)) == {"csv"}
        assert "Gifhorn" not in html_of(meinersen)
        assert b"gifhorn" not in files_of(meinersen)["csv"].lower()

        again = send(capsys, config, *NOVEMBER)
        assert again.code == 0 and "3 already sent" in again.out
        assert len(sink.mails) == 3
        forced = send(capsys, config, *NOVEMBER, "--again")
        assert forced.code == 0 and len(sink.mails) == 6


def test_the_csv_opens_in_german_excel_conventions(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    content = gifhorn_attachment(capsys, tmp_path, "csv")
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the umlauts right
    text = content.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Kennzahl", "Schlüssel", "Wert"]
    assert ["service_levels.percent", "30", "75,0"] in rows
    assert ["first_contact_resolution", "percent", "65,0"] in rows
    assert ["series.total_calls", "2019-11-04", "105"] in rows


def test_the_xlsx_holds_key_figures_and_days(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    book = openpyxl.load_workbook(io.BytesIO(gifhorn_attachment(capsys, tmp_path, "xlsx")))
    assert book.sheetnames == ["Kennzahlen", "Tage", "Alle Werte"]
    days = {row[0]: row for row in book["Tage"].iter_rows(values_only=True)}
    assert days["2019-11-12"][1:] == (105, 100, 80, 75.0, 60.0, 65.0)
    assert days["2019-11-13"][1] == 0


def test_the_pdf_renders_its_first_page(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pdf = gifhorn_attachment(capsys, tmp_path, "pdf")
    assert pdf.startswith(b"%PDF-")
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        reason = "pdftoppm missing: run tests/testbed/provision (poppler-utils)"
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    (tmp_path / "report.pdf").write_bytes(pdf)
    subprocess.run(
        [
            pdftoppm,
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(tmp_path / "report.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
        capture_output=True,
    )
    png = (tmp_path / "page.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5_000  # a page with text, not blank


def test_an_smtp_failure_is_recorded_reported_and_retried(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    port = free_port()  # nothing listens yet
    config = center(tmp_path, port)
    down = send(capsys, config, *NOVEMBER)
    assert down.code == EXIT_DELIVERY
    assert f"failed gifhorn 2019-11 to {GIFHORN[0]}: 127.0.0.1:{port}:" in down.err
    assert "retried by the next run" in down.err
    log: CallLog = open_log(config)
    states = log.deliveries()
    log.close()
    assert {(s.month, s.status, s.attempts) for s in states} == {("2019-11", "failed", 1)}
    with smtp_sink(port) as sink:
        # The timer's run names no month: last month, plus every month that failed before.
        retry = send(capsys, config)
        assert retry.code == 0, retry.err
        assert sum(1 for _, m in sink.mails if "November 2019" in str(m["Subject"])) == 3
    log = open_log(config)
    retried = [s for s in log.deliveries() if s.month == "2019-11"]
    log.close()
    assert {(s.status, s.attempts, s.error) for s in retried} == {("sent", 2, None)}


def test_dry_run_lists_and_sends_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with smtp_sink() as sink:
        config = center(tmp_path, sink.port)
        run = send(capsys, config, *NOVEMBER, "--dry-run")
        assert run.code == 0
        assert f"would send gifhorn 2019-11 to {GIFHORN[1]}" in run.out
        assert sink.mails == []
    log = open_log(config)
    assert log.deliveries() == []
    log.close()


def test_a_configuration_without_deliveries_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = write_config(tmp_path / "center", sqlite_url(tmp_path))
    run = send(capsys, config)
    assert run.code == 2 and "no reports.deliveries" in run.err


def tls_center(tmp_path: Path, port: int, ca_file: Path | None, password: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    secret = tmp_path / "smtp.secret"
    secret.write_text(password + "\n", encoding="utf-8")
    secret.chmod(0o600)
    ca = f", ca_file: {ca_file}" if ca_file else ""
    config = write_config(
        tmp_path / "center",
        sqlite_url(tmp_path),
        f"""reports:
  deliveries:
    - {{tenant: gifhorn, to: [{GIFHORN[0]}], format: [csv]}}
smtp: {{host: 127.0.0.1, port: {port}, starttls: true, username: berichte,
        password_file: {secret}{ca}}}
""",
    )
    log = open_log(config)
    log.write_records(known_month("gifhorn"))
    log.close()
    return config


def test_starttls_verifies_the_server_and_logs_in(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    authority = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server)
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    with smtp_sink(tls=server, login=("berichte", "geheim")) as sink:
        untrusted = send(capsys, tls_center(tmp_path / "a", sink.port, None, "geheim"), *NOVEMBER)
        assert untrusted.code == EXIT_DELIVERY and "CERTIFICATE_VERIFY_FAILED" in untrusted.err
        wrong = send(capsys, tls_center(tmp_path / "b", sink.port, ca_file, "falsch"), *NOVEMBER)
        assert wrong.code == EXIT_DELIVERY and "535" in wrong.err
        assert sink.mails == []
        good = send(capsys, tls_center(tmp_path / "c", sink.port, ca_file, "geheim"), *NOVEMBER)
        assert good.code == 0, good.err
        assert [rcpt for rcpt, _ in sink.mails] == [[GIFHORN[0]]]


def test_a_password_file_readable_by_others_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with smtp_sink() as sink:
        config = tls_center(tmp_path, sink.port, None, "geheim")
        (tmp_path / "smtp.secret").chmod(0o644)
        run = send(capsys, config, *NOVEMBER)
    assert run.code == EXIT_DELIVERY
    assert "is readable by others (mode 644)" in run.err
    assert sink.mails == []


def test_a_month_not_over_yet_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with smtp_sink() as sink:
        config = center(tmp_path, sink.port)
        run = send(capsys, config, "--month", "2999-01")
        assert run.code == 2 and "is not over yet" in run.err
        assert sink.mails == []


def test_a_delivery_of_one_node_counts_only_that_asterisks_calls(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with smtp_sink() as sink:
        config = center(tmp_path, sink.port)
        text = config.read_text().replace(
            "  deliveries:\n",
            "  deliveries:\n    - {tenant: all, to: [technik@servicecenter.example], node: ast2}\n",
        )
        config.write_text(text)
        log = open_log(config)
        log.write_records(
            [answered(f"n{i}", "2019-11-06T10:00", node="ast2", tenant="gifhorn") for i in range(3)]
        )
        log.close()
        run = pbx_bridge(capsys, config, "report", "send", "--month", "2019-11")
        assert run.code == 0, run.err
        mail = mail_to(sink.mails, "technik@servicecenter.example")
        assert mail["Subject"].endswith("(ast2)")
        assert "bericht-gesamt-ast2-2019-11.pdf" in {
            part.get_filename() for part in mail.iter_attachments()
        }
        rows = csv.reader(io.StringIO(files_of(mail)["csv"].decode("utf-8-sig")), delimiter=";")
        assert ["total_calls", "", "3"] in [row[:3] for row in rows]
