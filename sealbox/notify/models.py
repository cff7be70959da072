"""The outgoing mail queue. A row holds only what the mail says: never report content."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sealbox.crypto import Sealed
from sealbox.store.base import Base, new_id
from sealbox.store.types import SealedColumn

PENDING, SENT, FAILED = "pending", "sent", "failed"


class OutgoingMail(Base):
    __tablename__ = "outgoing_mail"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32))  # new_report, reminder, disclosure, alert, ...
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # One pending mail per key: a second "new report in X" before sending adds nothing.
    dedupe_key: Mapped[str | None] = mapped_column(String(128))
    # The day only: a "new report" row must not date the source's submission any finer.
    queued_on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    next_attempt: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_attempt: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_outgoing_mail_state_next", "state", "next_attempt"),
        Index("ix_outgoing_mail_dedupe", "dedupe_key", "state"),
    )


class MailSettingsRow(Base):
    """Mail settings an admin set on the web (one row, id 1); they take the place of the
    settings file's. The SMTP password is sealed to a key derived from an instance secret
    (outside the database): a copy of the database does not give it away."""

    __tablename__ = "mail_settings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mail_from: Mapped[str] = mapped_column(String(254))
    smtp_host: Mapped[str] = mapped_column(String(253))
    smtp_port: Mapped[int] = mapped_column(Integer)
    smtp_starttls: Mapped[bool] = mapped_column(Boolean)
    smtp_username: Mapped[str] = mapped_column(String(254))
    smtp_password: Mapped[Sealed | None] = mapped_column(SealedColumn)
