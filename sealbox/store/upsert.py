"""INSERT ... ON CONFLICT for the database in use: atomic across processes."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert(session: Session, model: type) -> postgresql.Insert | sqlite.Insert:
    """An INSERT for `model` with the dialect's `on_conflict_do_nothing/do_update`."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)
