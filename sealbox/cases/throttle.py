"""Token buckets kept in the database, so every worker draws from the same one."""

from __future__ import annotations

from sqlalchemy import case, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sealbox.store.models import RateBucket


def take(session: Session, name: str, now: float, burst: int, per_second: float) -> bool:
    """Take one token from bucket `name`; False when it is empty. One atomic UPDATE."""
    if session.get(RateBucket, name) is None:
        try:
            with session.begin_nested():
                session.add(RateBucket(name=name, tokens=float(burst), updated=now))
        except IntegrityError:
            pass  # another worker created it first
    refilled = RateBucket.tokens + (now - RateBucket.updated) * per_second
    capped = case((refilled > burst, float(burst)), else_=refilled)
    result = session.execute(
        update(RateBucket)
        .where(RateBucket.name == name, capped >= 1.0)
        .values(tokens=capped - 1.0, updated=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
