"""The one database session helper, for SQLite (WAL) and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from sealbox.store.instance import InstanceSecrets


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Deleted rows are overwritten, so removed ciphertext does not linger in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """Owns the engine and hands out transactions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on any exception."""
        with self._sessions() as session, session.begin():
            yield session

    def forget(self, *tables: str) -> bool:
        """Make deleted rows unrecoverable from the database files; True when it fully ran.

        SQLite overwrites deleted cells (secure_delete) but older page images stay in the WAL
        until a checkpoint, so the WAL is checkpointed and truncated to zero bytes; that fails
        (False) while another connection is reading, and the next call catches up. PostgreSQL
        leaves deleted tuples in the table files until the table is rewritten: VACUUM FULL
        rewrites each named table into new files.
        """
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as connection:
                busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
                return busy == 0
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in tables:
                connection.exec_driver_sql(f'VACUUM FULL "{table}"')
        return True

    def migrate(self, secrets: InstanceSecrets | None = None) -> None:
        """Bring the schema to the newest revision (Alembic).

        `secrets` (the instance secrets) is handed to migrations that seal what older releases
        kept in the clear; tables such a migration rewrote are then forgotten (`forget`), so no
        old page image keeps the clear value.
        """
        config = alembic_config(self.url, self.engine)
        config.attributes["secrets"] = secrets
        config.attributes["forget"] = set()
        command.upgrade(config, "head")
        if config.attributes["forget"]:
            self.forget(*sorted(config.attributes["forget"]))

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str, engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option(
        "script_location", str(Path(str(resources.files("sealbox.store"))) / "migrations")
    )
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["engine"] = engine
    return config
