"""One monthly report as a mail: HTML body with the key figures, PDF/CSV/XLSX attached."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from pbx_bridge.reporting.german import month_title
from pbx_bridge.reporting.html import key_figures, report_html
from pbx_bridge.reporting.pdf import html_to_pdf
from pbx_bridge.reporting.spreadsheets import report_csv, report_xlsx

_TYPES = {
    "pdf": ("application", "pdf"),
    "csv": ("text", "csv"),
    "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def attachments(
    data: dict[str, Any], title: str, month: str, formats: tuple[str, ...]
) -> dict[str, bytes]:
    """The files of one report by format; the PDF is the mail's HTML, rendered."""
    files: dict[str, bytes] = {}
    for name in formats:
        if name == "pdf":
            files[name] = html_to_pdf(report_html(data, title, month), title)
        elif name == "csv":
            files[name] = report_csv(data)
        elif name == "xlsx":
            files[name] = report_xlsx(data)
    return files


def compose(
    data: dict[str, Any],
    *,
    title: str,
    month: str,
    slug: str,
    files: dict[str, bytes],
    sender: str,
    to: str,
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"Monatsbericht {month_title(month)}: {title}"
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    plain = "\n".join(f"{figure}: {value}" for figure, value in key_figures(data))
    message.set_content(
        f"{title}\nMonatsbericht {month_title(month)}\n\n{plain}\n\n"
        "Die Einzelheiten stehen im Anhang (PDF, CSV, XLSX).\n"
    )
    message.add_alternative(report_html(data, title, month), subtype="html")
    for name, content in files.items():
        maintype, subtype = _TYPES[name]
        message.add_attachment(
            content,
            maintype=maintype,
            subtype=subtype,
            filename=f"bericht-{slug}-{month}.{name}",
        )
    return message
