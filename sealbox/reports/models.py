"""The tables of reports. Every column that could hold something a source wrote is sealed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from sealbox.crypto import Sealed
from sealbox.reports.vocabulary import ReportStatus
from sealbox.store.base import NO_ROWID, Base, new_id
from sealbox.store.types import SealedColumn


class Report(Base):
    """A report's clear metadata: nothing the source wrote, and dates to the day only."""

    __tablename__ = "reports"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    channel_id: Mapped[str] = mapped_column(ForeignKey("channels.id"), index=True)
    # Anyone may seal to the report (a reply, a follow-up); only key holders can open it.
    public_key: Mapped[str] = mapped_column(String(128))
    received_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.NEW)
    acknowledged_on: Mapped[dt.date | None] = mapped_column(Date)
    # Counts messages from the source, so "unread" needs no timestamp.
    source_seq: Mapped[int] = mapped_column(Integer, default=1)
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    # Stops retention from deleting the report (litigation, an authority's order).
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    outcome: Mapped[str | None] = mapped_column(String(32))
    flagged: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # First feedback to the source after acknowledgement (a reply or the closing).
    feedback_on: Mapped[dt.date | None] = mapped_column(Date)
    # The next legal deadline (acknowledge, then feedback); None when none is running.
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    # The reporter's identity is sealed to this key, wrapped to custodians only (IdentityKey).
    identity_public_key: Mapped[str | None] = mapped_column(String(128))
    identity_disclosed_on: Mapped[dt.date | None] = mapped_column(Date)
    # Internal notes are sealed to this key, wrapped to the report's handlers only (NoteKey):
    # the source holds the report key, so notes must not be sealed to that.
    notes_public_key: Mapped[str | None] = mapped_column(String(128))
    # Arrived past an hourly ceiling (sealbox.reports.ceilings): kept out of the inbox until a
    # handler of the channel triages it (sealbox.reports.quarantine). It carries no time.
    quarantined: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # The day of the newest message, either side's ("latest activity"). Messages carry their
    # day already (sent_on): this copies it where the inbox can sort by it.
    activity_on: Mapped[dt.date | None] = mapped_column(Date)
    # A title the handlers write, sealed to the notes key (handlers only, never the source).
    title: Mapped[Sealed | None] = mapped_column(SealedColumn)
    # The first line of the source's report, trimmed, sealed at intake to the notes key, so that
    # the inbox opens a few bytes with the key that opens the title, not the whole message.
    preview: Mapped[Sealed | None] = mapped_column(SealedColumn)

    __table_args__ = (
        Index("ix_reports_channel_received", "channel_id", "received_on", "id"),
        Index("ix_reports_quarantined", "quarantined", "received_on", "id"),
        # The inbox's orderings and filters (bench/inbox): newest first, by status, overdue.
        Index("ix_reports_received", "received_on", "id"),
        Index("ix_reports_status_received", "status", "received_on", "id"),
        # Lets PostgreSQL count a status filter by merging with report_keys in id order.
        Index("ix_reports_status_id", "status", "id"),
        Index("ix_reports_closed_on", "closed_on"),
        Index("ix_reports_due", "due_on", "id"),
        Index("ix_reports_flagged", "flagged", "received_on", "id"),
        Index("ix_reports_activity", "activity_on", "id"),
        NO_ROWID,
    )


class ReportKey(Base):
    """The report's private key, wrapped to one staff member's public key."""

    __tablename__ = "report_keys"
    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    wrapped: Mapped[Sealed] = mapped_column(SealedColumn)

    __table_args__ = (Index("ix_report_keys_user", "user_id", "report_id"), NO_ROWID)


class SourceAccess(Base):
    """How a passphrase finds its report: an Argon2id-derived id and a key wrap."""

    __tablename__ = "source_access"
    lookup_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), unique=True
    )
    wrapped: Mapped[Sealed] = mapped_column(SealedColumn)

    __table_args__ = (NO_ROWID,)


class Message(Base):
    """One turn of the conversation. The body (text and answers) is sealed to the report key.

    So is its place in the conversation: a number in clear would order the source's turns
    among the staff's, whose times the audit log gives.
    """

    __tablename__ = "messages"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    place: Mapped[Sealed] = mapped_column(SealedColumn)
    author: Mapped[str] = mapped_column(String(16))  # an Author
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_on: Mapped[dt.date] = mapped_column(Date)
    body: Mapped[Sealed] = mapped_column(SealedColumn)

    __table_args__ = (Index("ix_messages_report", "report_id", "id"), NO_ROWID)


class Attachment(Base):
    """A file. Its content is a sealed blob on disk; its name and type are sealed here."""

    __tablename__ = "attachments"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    blob_id: Mapped[str] = mapped_column(String(64), unique=True)
    meta: Mapped[Sealed] = mapped_column(SealedColumn)
    # Could not be cleaned: hidden from handlers until the source chooses to send it as it is.
    held: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (NO_ROWID,)


class ReadMark(Base):
    """How far a staff member has read a report, counted in source messages and sealed to the
    member's own key: in clear, with the audit log's time of their last look, it would say how
    many messages the source had sent by then."""

    __tablename__ = "read_marks"
    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    seen: Mapped[Sealed] = mapped_column(SealedColumn)

    # "Needs attention" starts from the reader's own marks (reports/attention.py).
    __table_args__ = (Index("ix_read_marks_user", "user_id", "report_id"), NO_ROWID)


class ReportLabel(Base):
    """A staff-chosen label on a report (never anything the source wrote)."""

    __tablename__ = "report_labels"
    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    label: Mapped[str] = mapped_column(String(40), primary_key=True)

    __table_args__ = (Index("ix_report_labels_label", "label", "report_id"), NO_ROWID)


class Note(Base):
    """An internal note; sealed to the report key and never shown to the source."""

    __tablename__ = "notes"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    written_on: Mapped[dt.date] = mapped_column(Date)
    body: Mapped[Sealed] = mapped_column(SealedColumn)

    __table_args__ = (NO_ROWID,)


class NoteKey(Base):
    """The report's notes key wrapped to one of its handlers (never to the source)."""

    __tablename__ = "note_keys"
    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    wrapped: Mapped[Sealed] = mapped_column(SealedColumn)

    __table_args__ = (NO_ROWID,)


class ReporterIdentity(Base):
    """What a source told about themselves, sealed to the report's identity key."""

    __tablename__ = "reporter_identities"
    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    body: Mapped[Sealed] = mapped_column(SealedColumn)

    __table_args__ = (NO_ROWID,)


class IdentityKey(Base):
    """The identity key wrapped to a custodian, or to a handler after an approved disclosure."""

    __tablename__ = "identity_keys"
    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    wrapped: Mapped[Sealed] = mapped_column(SealedColumn)

    __table_args__ = (NO_ROWID,)


class IntakeCount(Base):
    """New reports and bytes received in one UTC hour, for one channel or ("*") the instance.

    Only the current hour's rows are needed; the chronology pass deletes older ones.
    """

    __tablename__ = "intake_counts"
    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)  # hours since 1970 (UTC)
    reports: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (NO_ROWID,)
