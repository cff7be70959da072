"""Putting mail in the queue. Sending is the mail job's work (sealbox.jobs.mail)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox.clock import Clock
from sealbox.notify.models import FAILED, PENDING, SENT, OutgoingMail


def enqueue(
    session: Session,
    clock: Clock,
    kind: str,
    recipient: str,
    subject: str,
    body: str,
    *,
    dedupe_key: str | None = None,
    not_before: dt.datetime | None = None,
    once: bool = False,
) -> OutgoingMail | None:
    """Queue one mail in the caller's transaction; None when one with `dedupe_key` is waiting
    (or, with `once`, was ever queued)."""
    if dedupe_key is not None:
        states = (PENDING, SENT, FAILED) if once else (PENDING,)
        waiting = session.scalar(
            select(OutgoingMail.id).where(
                OutgoingMail.dedupe_key == dedupe_key, OutgoingMail.state.in_(states)
            )
        )
        if waiting is not None:
            return None
    mail = OutgoingMail(
        kind=kind,
        recipient=recipient,
        subject=subject,
        body=body,
        dedupe_key=dedupe_key,
        queued_on=clock.today(),
        state=PENDING,
        next_attempt=not_before or clock.now().replace(microsecond=0),
        attempts=0,
    )
    session.add(mail)
    session.flush()
    return mail


def retry_now(session: Session, clock: Clock, mail_id: str) -> OutgoingMail | None:
    """Put a failed (or waiting) mail back at the front of the queue with a fresh budget."""
    mail = session.get(OutgoingMail, mail_id)
    if mail is None or mail.state not in (PENDING, FAILED):
        return None
    mail.state = PENDING
    mail.attempts = 0
    mail.next_attempt = clock.now().replace(microsecond=0)
    return mail
