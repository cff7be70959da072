"""Fixtures: a Sealbox instance per test, on SQLite and on the machine's PostgreSQL."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from starlette.testclient import TestClient

from sealbox import services as services_mod
from sealbox import settings as settings_mod
from sealbox.clock import Clock
from sealbox.crypto import KdfParams
from sealbox.web.app import create_app

SERVER_PG_URL = os.environ.get(
    "SEALBOX_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# Each pytest-xdist worker of each checkout gets a database of its own: PostgreSQL keeps a
# deleted row version while any transaction in the same database may still see it, so a long
# transaction of another test run (another worker, or a run from another checkout of the code
# on the same server) would otherwise keep rows that this test checks are gone from the files.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_CHECKOUT = hashlib.sha256(str(Path(__file__).resolve().parent).encode()).hexdigest()[:6]
PG_URL = SERVER_PG_URL + f"_{_CHECKOUT}" + (f"_{_WORKER}" if _WORKER else "")


def _pg_available() -> str | None:
    try:
        engine = create_engine(SERVER_PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("select 1"))
            name = PG_URL.rsplit("/", 1)[1]
            exists = connection.execute(
                text("select 1 from pg_database where datname = :name"), {"name": name}
            ).first()
            if not exists:
                # Another run of the same checkout may make it meanwhile.
                with contextlib.suppress(DBAPIError):
                    connection.execute(text(f'create database "{name}"'))
        engine.dispose()
        return None
    except Exception as exc:  # any failure means: no server answers here
        return f"no PostgreSQL server answers at {SERVER_PG_URL}: {type(exc).__name__}"


_PG_SKIP = _pg_available()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    if request.param == "postgresql" and _PG_SKIP:
        pytest.skip(_PG_SKIP)
    return request.param


@pytest.fixture
def database_url(backend, tmp_path):
    """A fresh database: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if backend == "sqlite":
        yield ""
        return
    schema = "t_" + secrets.token_hex(6)
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f"create schema {schema}"))
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f"drop schema {schema} cascade"))
    admin.dispose()


# One Argon2id pass instead of three keeps the suite fast; memory stays at the 64 MiB floor,
# and every code path is the production one.
TEST_KDF = KdfParams(iterations=1)


@pytest.fixture
def settings(tmp_path, database_url):
    return settings_mod.load(
        environ={}, data_dir=tmp_path / "data", database_url=database_url, kdf=TEST_KDF
    )


@pytest.fixture
def services(settings):
    svc = services_mod.build(settings, clock=Clock())
    yield svc
    svc.db.dispose()


@pytest.fixture
def client(services):
    with TestClient(create_app(services), base_url="http://sealbox.test") as test_client:
        yield test_client


@pytest.fixture
def other_client(services):
    """A second browser (a handler while `client` is the source, say)."""
    with TestClient(create_app(services), base_url="http://sealbox.test") as test_client:
        yield test_client


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server, one process for the session (tests/s3_server.py)."""
    from tests.s3_server import CREDENTIALS, S3Server

    server = S3Server()
    server.start()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in CREDENTIALS.items():
            patch.setenv(name, value)
        yield server
    server.stop()


@pytest.fixture
def s3(s3_endpoint):
    """A fresh, empty bucket on the S3 server."""
    from tests.s3_server import S3Server

    bucket = S3Server(port=s3_endpoint.port)
    bucket.client().create_bucket(Bucket=bucket.bucket)
    return bucket
