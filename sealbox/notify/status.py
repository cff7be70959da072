"""What admins see of the mail queue: what waits, what failed and why, what went out lately."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from sealbox.accounts.models import User
from sealbox.notify.mail_config import MailConfig
from sealbox.notify.models import FAILED, PENDING, SENT, OutgoingMail


@dataclass(frozen=True)
class MailRow:
    id: str
    kind: str
    recipient: str
    state: str
    attempts: int
    last_error: str | None
    next_attempt: str
    last_attempt: str | None


@dataclass(frozen=True)
class MailOverview:
    configured: bool
    server: str
    counts: dict[str, int]
    problems: tuple[MailRow, ...]  # failed for good, or waiting after a failed attempt
    waiting: tuple[MailRow, ...]  # not tried yet
    recent: tuple[MailRow, ...]  # sent lately
    staff_without_email: int


def overview(session: Session, settings: MailConfig, limit: int = 100) -> MailOverview:
    """The queue at a glance. Subjects are left out: an alert's subject names a staff member."""
    counts = dict(
        session.execute(select(OutgoingMail.state, func.count()).group_by(OutgoingMail.state)).all()
    )

    def rows(query: Select[OutgoingMail]) -> tuple[MailRow, ...]:
        return tuple(_row(mail) for mail in session.scalars(query.limit(limit)))

    mails = select(OutgoingMail)
    problems = rows(
        mails.where(
            (OutgoingMail.state == FAILED)
            | ((OutgoingMail.state == PENDING) & (OutgoingMail.attempts > 0))
        ).order_by(OutgoingMail.last_attempt.desc())
    )
    waiting = rows(
        mails.where(OutgoingMail.state == PENDING, OutgoingMail.attempts == 0).order_by(
            OutgoingMail.next_attempt
        )
    )
    recent = rows(mails.where(OutgoingMail.state == SENT).order_by(OutgoingMail.sent_at.desc()))
    without = session.scalar(
        select(func.count()).select_from(User).where(User.active, User.email.is_(None))
    )
    server = f"{settings.smtp_host}:{settings.smtp_port}" if settings.smtp_host else ""
    if server:
        server += " (STARTTLS)" if settings.smtp_starttls else " (no TLS)"
        if settings.smtp_username:
            server += f", as {settings.smtp_username}"
    return MailOverview(
        configured=bool(settings.smtp_host),
        server=server,
        counts={state: counts.get(state, 0) for state in (PENDING, FAILED, SENT)},
        problems=problems,
        waiting=waiting,
        recent=recent[:20],
        staff_without_email=without or 0,
    )


def _when(value: dt.datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def _row(mail: OutgoingMail) -> MailRow:
    return MailRow(
        id=mail.id,
        kind=mail.kind,
        recipient=mail.recipient,
        state=mail.state,
        attempts=mail.attempts,
        last_error=mail.last_error,
        next_attempt=_when(mail.next_attempt) or "",
        last_attempt=_when(mail.last_attempt),
    )
