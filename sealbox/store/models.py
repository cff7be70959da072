"""The database schema. Every column that could hold something a source wrote is sealed."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sealbox.crypto import Sealed
from sealbox.store.types import SealedColumn

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    """Random identifiers: they reveal neither order nor time of creation."""
    return secrets.token_hex(16)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# Tables keyed to a report have no SQLite rowid: a rowid numbers rows in the order they were
# written, which would date a source's message among the staff's. Their keys are random, and
# the maintenance job rewrites them in key order (sealbox.jobs.chronology).
NO_ROWID = {"sqlite_with_rowid": False}


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # The TOTP secret, sealed to a key derived from the secrets file's `totp_key`: a copy of the
    # database alone holds no second factor.
    totp_sealed: Mapped[Sealed | None] = mapped_column(SealedColumn)
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)
    public_key: Mapped[str | None] = mapped_column(String(128))
    # The private key, sealed to a key derived from the password the holder chose at enrolment;
    # absent for offline-key users and for accounts whose holder has not enrolled yet.
    wrapped_private_key: Mapped[Sealed | None] = mapped_column(SealedColumn)
    key_salt: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Set for keys made by an older release when the account was created (under a password its
    # creator saw): the key is replaced at the holder's next login (cases/key_rotation.py).
    key_rotation_due: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[float] = mapped_column(Float, default=0.0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # Where notifications go (new reports, reminders, alerts); never shown to sources.
    email: Mapped[str | None] = mapped_column(String(254))
    # A first login (or an admin's reset) must choose a new password before anything else.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # False until the staff member proves their authenticator works (enrolment page).
    totp_confirmed: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    @property
    def offline(self) -> bool:
        """A public key only (the private key never touches the server); keyless roles are not."""
        return self.wrapped_private_key is None and self.public_key is not None


class StaffSession(Base):
    """Server-side staff sessions; the unwrapped key is sealed under a secret only the cookie holds.

    Several workers share them through the database.
    """

    __tablename__ = "staff_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sealed_key: Mapped[Sealed | None] = mapped_column(SealedColumn)
    last_seen: Mapped[float] = mapped_column(Float)
    # When the session began: it ends settings.staff_session_max_hours later, used or not.
    created: Mapped[float] = mapped_column(Float, server_default="0")
    # The step the session must finish before anything else, None when complete: "factor" (the
    # password was right, the second factor is next), "totp" or "key" (enrol an authenticator or
    # register a security key), "password" (choose an own password).
    pending: Mapped[str | None] = mapped_column(String(16))
    # During authenticator enrolment: the fresh TOTP secret this session shows, sealed like
    # `sealed_key`, so nobody else (an admin holding the one-time password) ever sees it.
    enrol_totp: Mapped[Sealed | None] = mapped_column(SealedColumn)
    # The one open security-key challenge of this session ("login" or "register"), used up by
    # the first answer, right or wrong, and void after `challenge_expires`.
    challenge: Mapped[bytes | None] = mapped_column(LargeBinary)
    challenge_kind: Mapped[str | None] = mapped_column(String(16))
    challenge_expires: Mapped[float | None] = mapped_column(Float)


class SecurityKey(Base):
    """A staff member's WebAuthn credential (a security key or a passkey), a second factor.

    Only public values: the credential id and public key (COSE) the authenticator gave at
    registration, and its signature counter, which must grow at every use (a counter that goes
    back means a copied key: the login is refused).
    """

    __tablename__ = "security_keys"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(64))
    # The ways the browser said it reaches the key ("usb,nfc", "internal,hybrid").
    transports: Mapped[str] = mapped_column(String(128), default="")
    # A passkey that its provider may copy to the holder's other devices (backup eligible).
    synced: Mapped[bool] = mapped_column(Boolean, default=False)
    added_on: Mapped[dt.date] = mapped_column(Date)
    last_used_on: Mapped[dt.date | None] = mapped_column(Date)


class RolePolicy(Base):
    """Per role: whether codes from an authenticator app (TOTP) still count as a second factor.
    A role without a row allows them."""

    __tablename__ = "role_policies"
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    totp_allowed: Mapped[bool] = mapped_column(Boolean, default=True)


class SourceSessionRow(Base):
    """The server's half of a source's session: without it, the cookie opens nothing.

    `sealed` holds the report id and key, sealed to a key derived from a secret only the cookie
    holds; the row names no report and carries no finer time than the hour it may be swept.
    Logging out or expiring deletes the row and makes the deletion unrecoverable
    (`Database.forget`). On PostgreSQL the table is UNLOGGED, so rows never reach the WAL; on
    SQLite it has no rowid, so its order says nothing about when sessions began.
    """

    __tablename__ = "source_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the cookie's id
    sealed: Mapped[Sealed] = mapped_column(SealedColumn)
    expires_hour: Mapped[int] = mapped_column(Integer)  # hours since 1970 (UTC)

    __table_args__ = {"sqlite_with_rowid": False}


class Channel(Base):
    __tablename__ = "channels"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Retention (crypto-shredding): closed reports after this many days from `closed_on`,
    # reports nobody ever answered after this many days from `received_on`.
    retention_days_closed: Mapped[int] = mapped_column(Integer, default=365, server_default="365")
    retention_days_unanswered: Mapped[int] = mapped_column(
        Integer, default=730, server_default="730"
    )
    # {"zh_Hans": {"name": ..., "description": ...}, ...}; `name`/`description` are English.
    texts: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    # The questionnaire as JSON (see cases/questionnaire.py).
    questions: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    allow_identity: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Whether a source may ask to keep a file's metadata (off: everything is cleaned).
    allow_keep_metadata: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Set once the channel has had handlers: from then on a new handler joins only with the
    # approval of one of its handlers or of a custodian (cases/membership.py).
    membership_locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class ChannelHandler(Base):
    __tablename__ = "channel_handlers"
    channel_id: Mapped[str] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )


class Report(Base):
    """A report's clear metadata: nothing the source wrote, and dates to the day only."""

    __tablename__ = "reports"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    channel_id: Mapped[str] = mapped_column(ForeignKey("channels.id"), index=True)
    # Anyone may seal to the report (a reply, a follow-up); only key holders can open it.
    public_key: Mapped[str] = mapped_column(String(128))
    received_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="new")
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
    # Arrived past an hourly ceiling (sealbox.cases.ceilings): kept out of the inbox until a
    # handler of the channel triages it (sealbox.cases.quarantine). It carries no time.
    quarantined: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

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
    author: Mapped[str] = mapped_column(String(16))  # "source" or "staff"
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

    __table_args__ = (NO_ROWID,)


class WorkerPresence(Base):
    """The serving processes alive right now, so that they share the passphrase-login budget.

    Each process writes its row on a timer of its own, never because a source did something.
    """

    __tablename__ = "workers"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen: Mapped[float] = mapped_column(Float)


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


class DisclosureRequest(Base):
    """A handler's request to learn the reporter's identity, and a custodian's decision.

    Both reasons are sealed to the identity key and to the requesting handler.
    """

    __tablename__ = "disclosure_requests"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    handler_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    reason: Mapped[Sealed] = mapped_column(SealedColumn)
    requested_on: Mapped[dt.date] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decision_reason: Mapped[Sealed | None] = mapped_column(SealedColumn)

    __table_args__ = (NO_ROWID,)


class RoleRequest(Base):
    """A role that needs a second person: an account becomes custodian once a custodian approves."""

    __tablename__ = "role_requests"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    requested_by: Mapped[str] = mapped_column(String(64))  # a username, or "cli"
    requested_on: Mapped[dt.date] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)


class MembershipRequest(Base):
    """A handler waiting to join a channel until one of its handlers (or a custodian) approves."""

    __tablename__ = "membership_requests"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    channel_id: Mapped[str] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_on: Mapped[dt.date] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)


# What the flood defences keep (sealbox.cases.submission_tokens, sealbox.cases.ceilings). Both
# are written when a source sends something, so both keep nothing finer than the hour, have no
# SQLite rowid and random or coarse keys, and are rewritten by the chronology pass with the
# report tables (all_models.SOURCE_TABLES). On PostgreSQL they are UNLOGGED: their rows never
# reach the WAL, and a crash only forgets them.


class UsedToken(Base):
    """A submission token that has been used, by a digest of its random nonce.

    `until` is the day after which the token has expired anyway and the row may go: it dates
    the form to the day, no finer.
    """

    __tablename__ = "used_tokens"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    until: Mapped[dt.date] = mapped_column(Date)

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
