"""The one database session helper, for SQLite (WAL) and PostgreSQL alike."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Table, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from sealbox.store.faults import CommitUnknown, DatabaseAway, OutOfSpace
from sealbox.store.instance import InstanceSecrets

log = logging.getLogger("sealbox.store")
T = TypeVar("T")
SQLITE_FULL = 13  # "database or disk is full"
PG_DISK_FULL = "53100"


def _sqlite_pragmas(busy_seconds: float) -> Callable[[Any, object], None]:
    def on_connect(dbapi_connection: Any, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
        # Deleted rows are overwritten, so removed ciphertext does not linger in free pages.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    return on_connect


def make_engine(url: str, busy_seconds: float = 30.0) -> Engine:
    """The engine for `url`; on SQLite a writer waits up to `busy_seconds` for another."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": busy_seconds}
        )
        event.listen(engine, "connect", _sqlite_pragmas(busy_seconds))
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """Owns the engine and hands out transactions."""

    def __init__(self, url: str, busy_seconds: float = 30.0) -> None:
        self.url = url
        self.busy_seconds = busy_seconds
        self.engine = make_engine(url, busy_seconds)
        # Handed to every session as `session.info` (the audit key, put here by services.build).
        self.session_info: dict[str, object] = {}
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, info=self.session_info)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on any exception.

        A full disk comes out as OutOfSpace, a lost or unanswering database as DatabaseAway
        (use `run` for work that may be tried again)."""
        try:
            with self._sessions() as session, session.begin():
                yield session
        except sa_exc.DBAPIError as exc:
            refusal = _refusal(exc)
            if refusal is None:
                raise
            raise refusal from exc

    def read(self, work: Callable[[Session], T]) -> T:
        """Work that only reads, tried a second time on a fresh connection whenever the first
        lost its connection, at its commit too (committing a read changes nothing)."""
        return self.run(work, read_only=True)

    def run(
        self,
        work: Callable[[Session], T],
        landed: Callable[[Session], object] | None = None,
        *,
        read_only: bool = False,
    ) -> T:
        """`work` in a transaction, tried a second time on a fresh connection when the first
        failed before its commit because the connection was lost (PostgreSQL: a killed
        backend, a restart, a serialization failure). Both failing: DatabaseAway.

        Lost *during* the commit, the work may or may not be in: `landed`, asked on a fresh
        connection, says which. Without `landed`, or when that question gets no answer either,
        CommitUnknown: the caller must not tell the person "nothing was stored" then, nor
        delete anything the work would have named.
        """
        for attempt in (1, 2):
            committing = False
            try:
                with self._sessions() as session:
                    with session.begin():
                        result = work(session)
                        session.flush()
                        committing = True
                    return result
            except sa_exc.DBAPIError as exc:
                if not self._may_retry(exc):
                    refusal = _refusal(exc)
                    if refusal is None:
                        raise
                    raise refusal from exc
                log.warning(
                    "database connection lost (%s), attempt %d", type(exc.orig).__name__, attempt
                )
                if committing and not read_only:
                    if landed is None:
                        raise CommitUnknown() from exc
                    if self._landed(landed):
                        return result
                    raise DatabaseAway() from exc
                if attempt == 2:
                    raise DatabaseAway() from exc
        raise AssertionError("unreachable")

    def _may_retry(self, exc: sa_exc.DBAPIError) -> bool:
        """A failure that says nothing about the work itself: the connection went away (or,
        on PostgreSQL, the server asked for the transaction to be tried again)."""
        if exc.connection_invalidated:
            return True
        if self.engine.dialect.name != "postgresql" or _full(exc):
            return False
        return isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError)

    def _landed(self, landed: Callable[[Session], object]) -> bool:
        """Ask whether work cut off during its commit went in. A read, so asked again on a
        fresh connection, five times over some four seconds: the person waits a little longer
        rather than be told that nobody knows whether their report arrived."""
        for pause in (0.0, 0.2, 0.5, 1.0, 2.0):
            time.sleep(pause)
            try:
                with self._sessions() as session, session.begin():
                    return bool(landed(session))
            except sa_exc.DBAPIError as exc:
                failure = exc
        raise CommitUnknown() from failure

    def answers(self, seconds: float = 2.0) -> bool:
        """Whether the database would take a write within `seconds` (a health check).

        SQLite: takes the write lock and lets go at once (another program holding it means
        every submission would wait, then fail); PostgreSQL: a connection answers a query.
        """
        try:
            with self.engine.connect() as connection:
                if self.engine.dialect.name != "sqlite":
                    connection.exec_driver_sql("SELECT 1")
                    return True
                connection.exec_driver_sql(f"PRAGMA busy_timeout={int(seconds * 1000)}")
                try:
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                    connection.exec_driver_sql("ROLLBACK")
                finally:
                    busy = int(self.busy_seconds * 1000)
                    connection.exec_driver_sql(f"PRAGMA busy_timeout={busy}")
            return True
        except sa_exc.DBAPIError:
            return False

    def forget(self, *tables: str) -> bool:
        """Make deleted rows unrecoverable from the database files; True when it fully ran.

        Cheap enough for every logout. SQLite: deleted cells are zeroed (secure_delete; callers
        overwrite sealed values in place before deleting, see `store.erase`), and older page
        images stay in the WAL until a checkpoint, so the WAL is checkpointed and truncated to
        zero bytes; that fails (False) while another connection reads an old snapshot, and the
        next call catches up. PostgreSQL leaves deleted tuples in the table files until the
        table is rewritten: VACUUM FULL rewrites each named table (TOAST and indexes too), but
        keeps rows an older snapshot still open elsewhere may see. Where every deleted byte of
        big tables must go (a shred), use `relayout`.
        """
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as connection:
                busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
                return bool(busy == 0)
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in tables:
                connection.exec_driver_sql(f'VACUUM FULL "{table}"')
        return True

    def relayout(self, tables: list[Table]) -> bool:
        """Rewrite `tables` (parents first) so that neither where a row lies nor who wrote it
        tells when it was written: rows go back in the order of their random keys.

        SQLite: VACUUM writes every table afresh in key order (tables keyed to a report have no
        rowid), then the WAL is emptied. PostgreSQL: one transaction copies the rows out,
        truncates the tables (new, empty files) and inserts the rows back in key order, so
        every row's place (ctid), inserting transaction (xmin) and TOAST value ids are this
        pass's; VACUUM FULL would keep each row's xmin.
        """
        if self.engine.dialect.name == "sqlite":
            return self._vacuum_sqlite()
        # Names come from the schema's metadata, never from input.
        names = ", ".join(f'"{table.name}"' for table in tables)
        order = {
            table.name: ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
            for table in tables
        }
        # One transaction, whatever the pooled connection was left in.
        with (
            self.engine.connect().execution_options(isolation_level="READ COMMITTED") as connection,
            connection.begin(),
        ):
            connection.exec_driver_sql(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")
            for table in tables:
                name, keys = table.name, order[table.name]
                rows = f'SELECT * FROM "{name}" ORDER BY {keys}'  # noqa: S608
                connection.exec_driver_sql(
                    f'CREATE TEMP TABLE "relayout_{name}" ON COMMIT DROP AS {rows}'
                )
            # Indexes that back no constraint are built afresh after the rows are in, which
            # costs less than updating them row by row while the tables are locked.
            indexes = connection.execute(
                text(
                    "SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = "
                    "current_schema() AND tablename = ANY(:t) AND NOT EXISTS (SELECT 1 FROM "
                    "pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = "
                    "(SELECT oid FROM pg_namespace WHERE nspname = current_schema()))"
                ),
                {"t": [table.name for table in tables]},
            ).all()
            for index, _ in indexes:
                connection.exec_driver_sql(f'DROP INDEX "{index}"')
            connection.exec_driver_sql(f"TRUNCATE {names}")
            for table in tables:
                name, keys = table.name, order[table.name]
                rows = f'SELECT * FROM "relayout_{name}" ORDER BY {keys}'  # noqa: S608
                connection.exec_driver_sql(f'INSERT INTO "{name}" {rows}')
            for _, definition in indexes:
                connection.exec_driver_sql(definition)
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"ANALYZE {names}")
        return True

    def _vacuum_sqlite(self) -> bool:
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM")
            busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            return bool(busy == 0)

    def migrate(
        self,
        secrets: InstanceSecrets | None = None,
        applied: Callable[[str], object] | None = None,
        to: str = "head",
    ) -> None:
        """Bring the schema to revision `to`, the newest by default (Alembic).

        `secrets` (the instance secrets) is handed to migrations that seal what older releases
        kept in the clear; tables such a migration rewrote are then forgotten (`forget`), so no
        old page image keeps the clear value. `applied` is called with each revision's id as
        it is applied (for progress).
        """
        config = alembic_config(self.url, self.engine)
        config.attributes["secrets"] = secrets
        config.attributes["forget"] = set()
        config.attributes["applied"] = applied
        command.upgrade(config, to)
        if config.attributes["forget"]:
            self.forget(*sorted(config.attributes["forget"]))

    def dispose(self) -> None:
        self.engine.dispose()


def _full(exc: sa_exc.DBAPIError) -> bool:
    orig = exc.orig
    return (
        getattr(orig, "sqlite_errorcode", None) == SQLITE_FULL
        or getattr(orig, "sqlstate", None) == PG_DISK_FULL
    )


def _refusal(exc: sa_exc.DBAPIError) -> OutOfSpace | DatabaseAway | None:
    """What a database failure means to the person who asked: the disk is full, or the
    database is away; None for anything else (a bug, which stays the error it is)."""
    if _full(exc):
        log.warning("the database's disk is full")
        return OutOfSpace()
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
        log.warning("database unavailable (%s)", type(exc.orig).__name__)
        return DatabaseAway()
    return None


def alembic_config(url: str, engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option(
        "script_location", str(Path(str(resources.files("sealbox.store"))) / "migrations")
    )
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["engine"] = engine
    return config
