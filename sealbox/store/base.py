"""The declarative base every domain's models share, and its conventions."""

from __future__ import annotations

import secrets

from sqlalchemy import (
    MetaData,
)
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    """Random identifiers: they reveal neither order nor time of creation."""
    return secrets.token_hex(16)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# Tables keyed to a report have no SQLite rowid: a rowid numbers rows in the order they were
# written, which would date a source's message among the staff's. Their keys are random, and
# the maintenance job rewrites them in key order (sealbox.jobs.chronology).
NO_ROWID = {"sqlite_with_rowid": False}
