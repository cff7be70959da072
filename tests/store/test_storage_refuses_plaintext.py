"""Encryption is the only path to storage: plaintext writes fail before reaching disk."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError

from sealbox import crypto
from sealbox.crypto import Identity
from sealbox.reports.models import SourceAccess


def test_blob_store_refuses_anything_but_a_sealed_stream(services):
    with pytest.raises(TypeError):
        services.blobs.put(io.BytesIO(b"plaintext"))  # type: ignore[arg-type]
    assert list(services.blobs.ids()) == []
    assert list(services.settings.tmp_dir.iterdir()) == []


def test_sealed_columns_refuse_bytes(services):
    # SQLAlchemy wraps the TypeError raised while binding the value.
    with (
        pytest.raises(StatementError, match="only Sealed"),
        services.db.transaction() as session,
    ):
        session.add(SourceAccess(lookup_id="x" * 64, report_id="r", wrapped=b"plaintext"))


def test_blob_files_are_ciphertext_dated_to_the_day(services):
    key = Identity.generate()
    blob_id = services.blobs.put(crypto.seal_stream(io.BytesIO(b"secret bytes"), key.recipient))
    path = services.blobs.path_of(blob_id)
    assert path.read_bytes().startswith(crypto.AGE_MAGIC)
    assert b"secret bytes" not in path.read_bytes()
    assert path.stat().st_mtime % 86400 == 0


def test_sqlite_runs_in_wal_mode(services, backend):
    if backend != "sqlite":
        pytest.skip("WAL is a SQLite setting")
    with services.db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
