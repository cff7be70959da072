"""The recovery keys (public), the wraps of each report's keys to them, and what a reset
account held before its reset (report ids only, no key material)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from sealbox.crypto import Sealed
from sealbox.store.base import NO_ROWID, Base, new_id
from sealbox.store.types import SealedColumn


class RecoveryKey(Base):
    """The public half of an offline recovery key; its private half never reaches the server."""

    __tablename__ = "recovery_keys"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    public_key: Mapped[str] = mapped_column(String(128), unique=True)
    added_on: Mapped[dt.date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class RecoveryWrap(Base):
    """One of a report's keys ("report", "notes", "identity") wrapped to a recovery key."""

    __tablename__ = "recovery_wraps"
    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    key_id: Mapped[str] = mapped_column(
        ForeignKey("recovery_keys.id", ondelete="CASCADE"), primary_key=True
    )
    wrapped: Mapped[Sealed] = mapped_column(SealedColumn)

    __table_args__ = (NO_ROWID,)


class RecoveryClaim(Base):
    """A key a reset account held (its wrap went with its old key): what recovery gives back."""

    __tablename__ = "recovery_claims"
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)

    __table_args__ = (NO_ROWID,)
