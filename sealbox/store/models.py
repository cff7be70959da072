"""The database schema. Every column that could hold something a source wrote is sealed."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import (
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
    UniqueConstraint,
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


class InstanceSecret(Base):
    """Per-instance random values made by `sealbox init` (the KDF salt, the cookie key)."""

    __tablename__ = "instance_secrets"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)
    public_key: Mapped[str | None] = mapped_column(String(128))
    # The private key, sealed to a key derived from the password; absent for offline-key users.
    wrapped_private_key: Mapped[Sealed | None] = mapped_column(SealedColumn)
    key_salt: Mapped[bytes | None] = mapped_column(LargeBinary)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[float] = mapped_column(Float, default=0.0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    @property
    def offline(self) -> bool:
        return self.wrapped_private_key is None


class StaffSession(Base):
    """Server-side staff sessions; the unwrapped key is sealed under a secret only the cookie has."""

    __tablename__ = "staff_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sealed_key: Mapped[Sealed | None] = mapped_column(SealedColumn)
    last_seen: Mapped[float] = mapped_column(Float)


class Channel(Base):
    __tablename__ = "channels"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ChannelHandler(Base):
    __tablename__ = "channel_handlers"
    channel_id: Mapped[str] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


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

    __table_args__ = (Index("ix_reports_channel_received", "channel_id", "received_on", "id"),)


class ReportKey(Base):
    """The report's private key, wrapped to one staff member's public key."""

    __tablename__ = "report_keys"
    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    wrapped: Mapped[Sealed] = mapped_column(SealedColumn)

    __table_args__ = (Index("ix_report_keys_user", "user_id", "report_id"),)


class SourceAccess(Base):
    """How a passphrase finds its report: an Argon2id-derived id and a key wrap."""

    __tablename__ = "source_access"
    lookup_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), unique=True
    )
    wrapped: Mapped[Sealed] = mapped_column(SealedColumn)


class Message(Base):
    """One turn of the conversation. The body (text and answers) is sealed to the report key."""

    __tablename__ = "messages"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(16))  # "source" or "staff"
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_on: Mapped[dt.date] = mapped_column(Date)
    body: Mapped[Sealed] = mapped_column(SealedColumn)

    __table_args__ = (UniqueConstraint("report_id", "seq"),)


class Attachment(Base):
    """A file. Its content is a sealed blob on disk; its name and type are sealed here."""

    __tablename__ = "attachments"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    blob_id: Mapped[str] = mapped_column(String(64), unique=True)
    meta: Mapped[Sealed] = mapped_column(SealedColumn)


class ReadMark(Base):
    """How far a staff member has read a report, counted in source messages."""

    __tablename__ = "read_marks"
    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    seen_seq: Mapped[int] = mapped_column(Integer, default=0)


class RateBucket(Base):
    """Token buckets shared by every worker (passphrase logins are throttled globally)."""

    __tablename__ = "rate_buckets"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated: Mapped[float] = mapped_column(Float)
