"""`/healthz` answers "ok" or "not ok" and nothing else: a monitor learns whether Sealbox can
take a report, and anyone else learns nothing (no counts, no version, no reason), nothing is
cached, and no one's request is logged. The database goes away as tests/database_away.py
makes it; the blob store fills up or loses its write permission."""

from __future__ import annotations

import dataclasses

import pytest

from tests.conftest import PG_URL
from tests.database_away import PgGate, sqlite_held


@pytest.fixture
def gate(backend):
    """PostgreSQL: the relay the app reaches its database through."""
    if backend != "postgresql":
        yield None
        return
    relay = PgGate(PG_URL)
    yield relay
    relay.close()


@pytest.fixture
def database_url(database_url, gate):
    return gate.through(database_url) if gate else database_url


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, database_busy_seconds=1.0)


@pytest.fixture
def away(gate, settings):
    if gate is not None:
        return gate.away
    return lambda: sqlite_held(settings.data_dir / "sealbox.db")


def _bare(response, status: int, body: str) -> None:
    assert response.status_code == status
    assert response.text == body
    assert response.headers["cache-control"] == "no-store"
    assert "server" not in response.headers and "set-cookie" not in response.headers
    assert response.headers["content-type"].startswith("text/plain")


def test_ok_says_ok_and_nothing_more(client, services, caplog):
    _bare(client.get("/healthz"), 200, "ok")
    assert not [r for r in caplog.records if "healthz" in r.getMessage()]


def test_a_database_that_does_not_answer_is_not_ok(client, away):
    with away():
        _bare(client.get("/healthz"), 503, "not ok")
    _bare(client.get("/healthz"), 200, "ok")


def test_a_blob_store_that_cannot_take_a_file_is_not_ok(client, services):
    # Root writes through any mode, so the place uploads go is made unusable another way.
    kept = services.blobs.new.rename(services.blobs.new.with_name("new-kept"))
    services.blobs.new.write_bytes(b"")
    try:
        _bare(client.get("/healthz"), 503, "not ok")
    finally:
        services.blobs.new.unlink()
        kept.rename(services.blobs.new)
    _bare(client.get("/healthz"), 200, "ok")
