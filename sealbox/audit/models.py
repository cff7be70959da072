"""Audit entries. Each carries the hash of the one before it, and a keyed digest of its own."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sealbox.store.base import Base


class AuditEntry(Base):
    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str | None] = mapped_column(String(64))  # staff username, or "system"
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(128))
    details: Mapped[str] = mapped_column(Text, default="{}")  # canonical JSON, never content
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # HMAC-SHA256 of `hash` under the audit key (secrets file). None only for entries written
    # before the log was keyed; those form a prefix that the first keyed entry seals.
    mac: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        # The bulk-access rule asks "what did this actor open lately"; auditors filter by both.
        Index("ix_audit_log_actor_action_at", "actor", "action", "at"),
        Index("ix_audit_log_action_at", "action", "at"),
    )
