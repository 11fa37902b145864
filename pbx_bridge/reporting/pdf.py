"""The PDF attachment, rendered from the same HTML as the mail body (fpdf2, pure Python)."""

from __future__ import annotations

from fpdf import FPDF

# The PDF's built-in fonts cover Latin-1 (all of German); anything else would stop fpdf2.
_ENCODING = "latin-1"


def _printable(html: str) -> str:
    replacements = {"–": "-", "—": "-", "„": '"', "“": '"', "”": '"', "’": "'", "…": "..."}
    for char, plain in replacements.items():
        html = html.replace(char, plain)
    return html.encode(_ENCODING, "replace").decode(_ENCODING)


def html_to_pdf(html: str, title: str) -> bytes:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(_printable(title))
    pdf.set_creator("pbx-bridge")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    # The document's body only: fpdf2 renders content, the head is for mail clients.
    start, end = html.find("<body>"), html.rfind("</body>")
    body = html[start + len("<body>") : end] if start >= 0 and end > start else html
    pdf.write_html(_printable(body))
    return bytes(pdf.output())
