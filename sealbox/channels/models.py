"""The tables of channels. Every column that could hold something a source wrote is sealed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from sealbox.store.base import Base, new_id


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
    # The questionnaire as JSON (see channels/questionnaire.py).
    questions: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    allow_identity: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Whether a source may ask to keep a file's metadata (off: everything is cleaned).
    allow_keep_metadata: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Set once the channel has had handlers: from then on a new handler joins only with the
    # approval of one of its handlers or of a custodian (channels/membership.py).
    membership_locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class ChannelHandler(Base):
    __tablename__ = "channel_handlers"
    channel_id: Mapped[str] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )


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
