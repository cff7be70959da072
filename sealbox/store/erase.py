"""Deleting rows that hold sealed keys so that no copy of their bytes stays in the file."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, CursorResult, delete, func, update
from sqlalchemy.orm import Session

from sealbox.store.types import SealedColumn


def delete_overwritten(session: Session, model: Any, *where: ColumnElement[bool]) -> int:
    """Delete `model` rows matching `where`, first overwriting their sealed values in place;
    returns how many went.

    On SQLite an update of the same length rewrites a small cell where it lies, so the page
    keeps noise instead of the sealed key even if a later rebalance copies cells around before
    the zeroing delete; the WAL image of the old page goes at the next `Database.forget`.
    PostgreSQL writes a new tuple version on update, so there the table rewrite does the work.
    """
    if session.get_bind().dialect.name == "sqlite":
        sealed = [c for c in model.__table__.columns if isinstance(c.type, SealedColumn)]
        if sealed:
            session.execute(
                update(model)
                .where(*where)
                .values({c.name: func.randomblob(func.length(c)) for c in sealed})
                .execution_options(synchronize_session=False)
            )
    result = session.execute(
        delete(model).where(*where).execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount or 0
