"""Talking to the SMTP server of the mail settings in force (`mail_config.current`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import smtplib
import ssl
from collections.abc import Iterator
from email.message import EmailMessage

from sealbox.notify.mail_config import MailConfig


class MailNotConfigured(Exception):
    """No SMTP host is set: mail stays queued until an admin sets one."""


class SmtpTransport:
    """One connection per batch of mail; STARTTLS and login as configured."""

    def __init__(self, config: MailConfig, timeout: float) -> None:
        self.config = config
        self.timeout = timeout

    @contextlib.contextmanager
    def connect(self) -> Iterator[smtplib.SMTP]:
        s = self.config
        if not s.smtp_host:
            raise MailNotConfigured(
                "No SMTP server is configured (the admin's mail settings, or smtp_host)."
            )
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=self.timeout) as smtp:
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password)
            yield smtp


def build_message(
    mail_from: str, to: str, subject: str, body: str, at: dt.datetime
) -> EmailMessage:
    """A plain-text mail with no client or host details beyond what SMTP requires."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = email.utils.format_datetime(at.replace(microsecond=0))
    domain = mail_from.rpartition("@")[2] or "sealbox.invalid"
    message["Message-ID"] = email.utils.make_msgid(domain=domain)
    message.set_content(body)
    return message


def describe(exc: BaseException) -> str:
    """A short, actionable description of a sending failure for the admin page."""
    if isinstance(exc, MailNotConfigured):
        return str(exc)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return (
            "The SMTP server does not offer STARTTLS. Use a server that does, or turn "
            "smtp_starttls off only where the connection is protected otherwise."
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "The SMTP server refused the username or password."
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "The SMTP server refused the recipient address."
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return f"The SMTP server answered {exc.smtp_code}: {text}"[:500]
    if isinstance(exc, ConnectionRefusedError):
        return "The SMTP server refused the connection (is it running, and is the port right?)."
    if isinstance(exc, TimeoutError):
        return "The SMTP server did not answer in time."
    if isinstance(exc, ssl.SSLError):
        return f"STARTTLS failed: {exc.reason or exc}"[:500]
    if isinstance(exc, OSError):
        return f"Could not reach the SMTP server: {exc.strerror or type(exc).__name__}"[:500]
    return f"Sending failed: {type(exc).__name__}"
