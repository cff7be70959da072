"""`Database.forget`: a deleted row leaves no copy in the database's files (WAL included)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from sqlalchemy import text


def _files(services) -> bytes:
    return b"".join(p.read_bytes() for p in Path(services.settings.data_dir).glob("sealbox.db*"))


def test_a_deleted_value_is_gone_from_the_sqlite_files_after_forget(services, backend):
    if backend != "sqlite":
        pytest.skip("SQLite's WAL only; PostgreSQL is the next test")
    marker = secrets.token_hex(16)
    with services.db.engine.begin() as connection:
        connection.execute(text("create table scratch (v text)"))
        connection.execute(text("insert into scratch values (:v)"), {"v": marker})
    with services.db.engine.begin() as connection:
        connection.execute(text("delete from scratch"))
    assert marker.encode() in _files(services)  # the WAL still holds the old page
    assert services.db.forget("scratch")
    assert marker.encode() not in _files(services)


def test_forget_rewrites_postgresql_tables(services, backend):
    if backend != "postgresql":
        pytest.skip("PostgreSQL's table files only; SQLite is the test above")
    with services.db.engine.begin() as connection:
        connection.execute(text("create table scratch (v text)"))
        connection.execute(text("insert into scratch values ('x')"))
        before = connection.execute(text("select pg_relation_filenode('scratch')")).scalar()
    assert services.db.forget("scratch")
    with services.db.engine.begin() as connection:
        after = connection.execute(text("select pg_relation_filenode('scratch')")).scalar()
    assert before != after
