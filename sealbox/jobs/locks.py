"""Claiming a job through a lease row, atomically, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from sealbox.jobs.models import JobLock
from sealbox.services import Services


def _ensure_row(services: Services, name: str) -> None:
    try:
        with services.db.transaction() as session:
            if session.get(JobLock, name) is None:
                session.add(JobLock(name=name, holder=None, lease_until=0.0, next_run=0.0))
    except IntegrityError:
        pass  # another worker made it first


def claim(services: Services, name: str, holder: str, lease_seconds: float, force: bool) -> bool:
    """Take the job's lease if it is free (and due, unless `force`); True when we hold it.

    One UPDATE with the conditions in its WHERE clause: the database lets only one worker win.
    """
    _ensure_row(services, name)
    now = services.clock.timestamp()
    condition = [JobLock.name == name, JobLock.lease_until < now]
    if not force:
        condition.append(JobLock.next_run <= now)
    with services.db.transaction() as session:
        result = session.execute(
            update(JobLock)
            .where(*condition)
            .values(holder=holder, lease_until=now + lease_seconds)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def release(services: Services, name: str, holder: str, interval: float, outcome: str) -> None:
    """Give the lease back and schedule the next run `interval` seconds from now."""
    now = services.clock.timestamp()
    with services.db.transaction() as session:
        session.execute(
            update(JobLock)
            .where(JobLock.name == name, JobLock.holder == holder)
            .values(
                holder=None, lease_until=0.0, next_run=now + interval, last_outcome=outcome[:500]
            )
            .execution_options(synchronize_session=False)
        )


def states(services: Services) -> list[JobLock]:
    """Every job's row (when it runs next, its last outcome), for status displays."""
    with services.db.transaction() as session:
        return list(session.scalars(select(JobLock).order_by(JobLock.name)))
