"""Send a mail over SMTP (smtplib), with STARTTLS and login as bridge.yaml says."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from pbx_bridge.config.report_settings import SmtpSettings
from pbx_bridge.secret_file import SecretFileError, read_secret_file


class SmtpSendError(Exception):
    """The mail was not accepted; the message says why, in one line."""


def read_password(path: Path) -> str:
    try:
        return read_secret_file(path, "SMTP password file")
    except SecretFileError as error:
        raise SmtpSendError(str(error)) from error


class SmtpSender:
    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def send(self, message: EmailMessage) -> None:
        settings = self.settings
        # Before connecting: an unusable password file is the admin's to fix, not the server's.
        password = read_password(settings.password_file) if settings.password_file else ""
        try:
            with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s) as smtp:
                smtp.ehlo()
                if settings.starttls:
                    # Certificate and host name verified, against ca_file if one is given.
                    cafile = str(settings.ca_file) if settings.ca_file else None
                    smtp.starttls(context=ssl.create_default_context(cafile=cafile))
                    smtp.ehlo()
                if settings.username:
                    smtp.login(settings.username, password)
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as error:  # ssl.SSLError is an OSError
            reason = (
                str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            )
            raise SmtpSendError(f"{settings.host}:{settings.port}: {reason}") from error
