"""One row per periodic job: when it may next run, and who holds it right now (a lease)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from sealbox.store.base import Base


class JobLock(Base):
    """A lease in the database, so that several workers never run the same job at once.

    Times are clock timestamps; a lease that outlives a crashed worker simply expires.
    """

    __tablename__ = "job_locks"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[float] = mapped_column(Float, default=0.0)
    next_run: Mapped[float] = mapped_column(Float, default=0.0)
    last_outcome: Mapped[str | None] = mapped_column(String(500))


class JobMark(Base):
    """A day a job last did its once-a-day work (the chronology job's daily pass)."""

    __tablename__ = "job_marks"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
