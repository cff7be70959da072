"""The tables of disclosure. Every column that could hold something a source wrote is sealed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    ForeignKey,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from sealbox.crypto import Sealed
from sealbox.disclosure.vocabulary import DisclosureState
from sealbox.store.base import NO_ROWID, Base, new_id
from sealbox.store.types import SealedColumn


class DisclosureRequest(Base):
    """A handler's request to learn the reporter's identity, and a custodian's decision.

    Both reasons are sealed to the identity key and to the requesting handler.
    """

    __tablename__ = "disclosure_requests"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    handler_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default=DisclosureState.PENDING, index=True)
    reason: Mapped[Sealed] = mapped_column(SealedColumn)
    requested_on: Mapped[dt.date] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decision_reason: Mapped[Sealed | None] = mapped_column(SealedColumn)

    __table_args__ = (NO_ROWID,)
