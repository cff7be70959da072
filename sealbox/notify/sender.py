"""Sending what is due from the queue, with retries that back off exponentially.

A mail is claimed before it is sent: the mail job in one worker and an admin's "send now" in
another may run at once, and a mail must not reach its reader twice."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from sealbox.notify import mail_config
from sealbox.notify.mail_config import MailConfig
from sealbox.notify.models import FAILED, PENDING, SENT, OutgoingMail
from sealbox.notify.smtp import SmtpTransport, build_message, describe

if TYPE_CHECKING:  # the composition root: for annotations only, never imported here
    from sealbox.services import Services

log = logging.getLogger("sealbox.notify")
BATCH = 100
MAX_DELAY = 24 * 3600
# How long a claimed mail stays with its sender; one that crashed mid-send is tried again after.
CLAIM_SECONDS = 15 * 60


@dataclass(frozen=True)
class SendOutcome:
    sent: int = 0
    failed: int = 0  # attempts that failed this run (the mail stays queued unless out of tries)


def send_due(services: Services, transport: SmtpTransport | None = None) -> SendOutcome:
    """Send every due mail over one SMTP connection; record each failure on its row."""
    now = services.clock.now().replace(microsecond=0)
    claimed = _claim(services, now)
    if not claimed:
        return SendOutcome()
    with services.db.transaction() as session:
        config = mail_config.current(services, session)
        transport = transport or SmtpTransport(config, services.settings.smtp_timeout_seconds)
        rows = {
            m.id: m
            for m in session.scalars(select(OutgoingMail).where(OutgoingMail.id.in_(claimed)))
        }
        due = [rows[mail_id] for mail_id in claimed if mail_id in rows]
        sent = failed = 0
        try:
            with transport.connect() as smtp:
                for mail in due:
                    try:
                        message = build_message(
                            config.mail_from, mail.recipient, mail.subject, mail.body, now
                        )
                        smtp.send_message(message)
                    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                        _failed(services, mail, now, describe(exc))
                        failed += 1
                    else:
                        mail.state, mail.sent_at, mail.last_attempt = SENT, now, now
                        mail.attempts += 1
                        mail.last_error = None
                        sent += 1
        except Exception as exc:  # the server, the network, TLS, login: every unsent mail waits
            reason = describe(exc)
            log.warning("mail sending failed: %s", reason)
            for mail in due:
                if mail.state == PENDING and mail.last_attempt != now:
                    _failed(services, mail, now, reason)
                    failed += 1
        return SendOutcome(sent=sent, failed=failed)


def _claim(services: Services, now: dt.datetime) -> list[str]:
    """Take up to BATCH due mails for this sender, oldest first. The UPDATE repeats the due
    condition, so of two senders at once only one takes each mail (it leaves the due set)."""
    with services.db.transaction() as session:
        due = session.scalars(
            select(OutgoingMail.id)
            .where(OutgoingMail.state == PENDING, OutgoingMail.next_attempt <= now)
            .order_by(OutgoingMail.next_attempt, OutgoingMail.id)
            .limit(BATCH)
        ).all()
        if not due:
            return []
        taken = set(
            session.execute(
                update(OutgoingMail)
                .where(
                    OutgoingMail.id.in_(due),
                    OutgoingMail.state == PENDING,
                    OutgoingMail.next_attempt <= now,
                )
                .values(next_attempt=now + dt.timedelta(seconds=CLAIM_SECONDS))
                .returning(OutgoingMail.id)
                .execution_options(synchronize_session=False)
            ).scalars()
        )
    return [mail_id for mail_id in due if mail_id in taken]


def _failed(services: Services, mail: OutgoingMail, now: dt.datetime, reason: str) -> None:
    settings = services.settings
    mail.attempts += 1
    mail.last_attempt = now
    mail.last_error = reason[:500]
    if mail.attempts >= settings.mail_max_attempts:
        mail.state = FAILED
        return
    delay = min(MAX_DELAY, settings.mail_retry_seconds * 2 ** (mail.attempts - 1))
    mail.next_attempt = now + dt.timedelta(seconds=delay)


def send_now(services: Services, config: MailConfig, to: str, subject: str, body: str) -> None:
    """Send one mail at once, outside the queue, through `config` (the setup page's test of
    settings not saved yet); raises what SMTP raised (`smtp.describe` words it)."""
    now = services.clock.now().replace(microsecond=0)
    transport = SmtpTransport(config, services.settings.smtp_timeout_seconds)
    with transport.connect() as smtp:
        smtp.send_message(build_message(config.mail_from, to, subject, body, now))
