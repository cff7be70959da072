"""What a thief takes: every file of the data directory (secrets file included) and, on
PostgreSQL, the database's table files and the server's WAL, as they lie on disk."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from sealbox.services import Services
from tests.conftest import PG_URL


@contextmanager
def own_database(backend: str) -> Iterator[str]:
    """A database URL of its own (PostgreSQL: a fresh database, not a schema of a shared one).

    PostgreSQL keeps a deleted row through a table rewrite while any transaction of the same
    database that began before the delete still runs; a database of its own keeps other tests'
    transactions from deciding what a forensic test finds.
    """
    if backend == "sqlite":
        yield ""
        return
    name = "t_" + secrets.token_hex(6)
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"create database {name}"))
    try:
        yield PG_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"drop database {name} with (force)"))
        admin.dispose()


def take(services: Services) -> dict[str, bytes]:
    """A byte-for-byte copy of everything at rest, keyed by path."""
    files = {
        str(path): path.read_bytes()
        for path in Path(services.settings.data_dir).rglob("*")
        if path.is_file()
    }
    secrets_file = services.settings.secrets_path
    files[str(secrets_file)] = secrets_file.read_bytes()
    engine = services.db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("checkpoint"))  # what is in memory now lies on disk too
            root = Path(connection.execute(text("show data_directory")).scalar())
            oid = connection.execute(
                text("select oid from pg_database where datname = current_database()")
            ).scalar()
        for folder in (root / "base" / str(oid), root / "pg_wal"):
            for path in folder.rglob("*"):
                try:
                    if path.is_file():
                        files[str(path)] = path.read_bytes()
                except FileNotFoundError:
                    pass  # removed while we walked (a recycled WAL segment)
    return files


def holding(files: dict[str, bytes], needle: bytes) -> list[str]:
    """The paths whose bytes contain `needle`."""
    return [path for path, data in files.items() if needle in data]


def take_after_sweep(services: Services, needles: list[bytes], tries: int = 30) -> dict[str, bytes]:
    """A copy taken once the sessions job has had its chance to forget what was deleted.

    PostgreSQL keeps a deleted row through a table rewrite while a transaction of the same
    database that is older than the delete still runs (an autoanalyze, a backup); the sessions
    job runs `forget` again every few minutes, and here every second, until none holds it back.
    """
    from sealbox.jobs import runner

    for _ in range(tries):
        copy = take(services)
        if not any(holding(copy, needle) for needle in needles):
            return copy
        time.sleep(1)
        runner.run_due(services, only=["sessions"], force=True)
    return take(services)
