"""The tables of sources. Every column that could hold something a source wrote is sealed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    Float,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from sealbox.crypto import Sealed
from sealbox.store.base import NO_ROWID, Base
from sealbox.store.types import SealedColumn


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


class WorkerPresence(Base):
    """The serving processes alive right now, so that they share the passphrase-login budget.

    Each process writes its row on a timer of its own, never because a source did something.
    """

    __tablename__ = "workers"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen: Mapped[float] = mapped_column(Float)


class UsedToken(Base):
    """A submission token that has been used, by a digest of its random nonce.

    `until` is the day after which the token has expired anyway and the row may go: it dates
    the form to the day, no finer.
    """

    __tablename__ = "used_tokens"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    until: Mapped[dt.date] = mapped_column(Date)

    __table_args__ = (NO_ROWID,)
