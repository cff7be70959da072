"""A consistent copy of the database for a backup, and putting one back.

SQLite: `VACUUM INTO` a file beside the database (a read transaction, so writers go on; the
copy is compact, with no free page keeping a deleted row), read into the archive, then deleted.
It never goes to the temporary directory, which holds ciphertext only.
PostgreSQL: `pg_dump` in its custom format, read from its output in parts of PART bytes held in
memory (a tar member needs its size first), so nothing of the dump touches this machine's disk;
restored with `pg_restore` from a pipe.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine, make_url

from sealbox.backup.archive import Member

PART = 16 << 20
SQLITE_MEMBER = "database.sqlite"
PG_PREFIX = "database.pgdump."


class DatabaseCopyFailed(Exception):
    """The database could not be copied or put back: the message says what failed."""


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL; None for PostgreSQL."""
    if not url.startswith("sqlite"):
        return None
    database = make_url(url).database
    if not database or database == ":memory:":
        raise DatabaseCopyFailed("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _libpq(url: str) -> str:
    """A connection string pg_dump and pg_restore understand, with the same search path."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def schema(engine: Engine) -> str:
    with engine.connect() as connection:
        name = connection.execute(text("select current_schema()")).scalar()
    return str(name or "public")


def snapshot(url: str, engine: Engine) -> Iterator[Member]:
    """The database as archive members (one file for SQLite, parts of a dump for PostgreSQL)."""
    path = sqlite_path(url)
    if path is not None:
        yield from _sqlite_snapshot(path, engine)
    else:
        yield from _pg_snapshot(url, schema(engine))


def _sqlite_snapshot(path: Path, engine: Engine) -> Iterator[Member]:
    copy = path.with_name(f".{path.name}.backup-{secrets.token_hex(8)}")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("VACUUM INTO ?", (str(copy),))
        os.chmod(copy, 0o600)
        yield Member(SQLITE_MEMBER, copy.stat().st_size, lambda: open(copy, "rb"))  # noqa: SIM115
    finally:
        copy.unlink(missing_ok=True)


def _pg_snapshot(url: str, schema_name: str) -> Iterator[Member]:
    if shutil.which("pg_dump") is None:
        raise DatabaseCopyFailed("pg_dump is not installed (Debian: postgresql-client)")
    command = [
        "pg_dump",
        "--format=custom",
        "--compress=0",  # the archive is sealed as it is; compression would not hide sizes
        "--no-owner",
        "--no-privileges",
        f"--schema={schema_name}",
        f"--dbname={_libpq(url)}",
    ]
    with subprocess.Popen(  # noqa: S603 - fixed program, arguments from the settings
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as dump:
        assert dump.stdout is not None and dump.stderr is not None
        number = 0
        while True:
            part = dump.stdout.read(PART)
            if not part:
                break
            yield Member(f"{PG_PREFIX}{number:05d}", len(part), _opener(part))
            number += 1
        error = dump.stderr.read().decode("utf-8", "replace").strip()
        if dump.wait() != 0:
            raise DatabaseCopyFailed(f"pg_dump failed: {error.splitlines()[-1] if error else ''}")


def _opener(data: bytes) -> Callable[[], BinaryIO]:
    return lambda: io.BytesIO(data)


def is_empty(url: str) -> bool:
    """True when the database holds no table (a SQLite file that does not exist or is empty)."""
    path = sqlite_path(url)
    if path is not None:
        return not path.exists() or path.stat().st_size == 0
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            current = connection.execute(text("select current_schema()")).scalar()
        return current is None or not inspect(engine).get_table_names(schema=current)
    finally:
        engine.dispose()


class SqliteRestore:
    """Writes the SQLite member into place (the file must not exist yet)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def take(self, reader: BinaryIO) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as sink:
            shutil.copyfileobj(reader, sink, 1 << 20)
            sink.flush()
            os.fsync(sink.fileno())

    def finish(self) -> None:
        pass

    def abandon(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


class PgRestore:
    """Feeds the dump's parts, in order, to one `pg_restore` reading from a pipe."""

    def __init__(self, url: str) -> None:
        if shutil.which("pg_restore") is None:
            raise DatabaseCopyFailed("pg_restore is not installed (Debian: postgresql-client)")
        self.url = url
        self.process: subprocess.Popen[bytes] | None = None
        self.errors = b""

    def take(self, reader: BinaryIO) -> None:
        if self.process is None:
            self.process = subprocess.Popen(  # noqa: S603 - fixed program
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={_libpq(self.url)}",
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        assert self.process.stdin is not None
        try:
            shutil.copyfileobj(reader, self.process.stdin, 1 << 20)
        except BrokenPipeError:
            self.finish()  # pg_restore stopped: its own message says why
            raise

    def finish(self) -> None:
        if self.process is None:
            raise DatabaseCopyFailed("the archive holds no database")
        assert self.process.stdin is not None and self.process.stderr is not None
        with contextlib.suppress(BrokenPipeError):
            self.process.stdin.close()
        error = self.process.stderr.read().decode("utf-8", "replace").strip()
        if self.process.wait() != 0:
            last = error.splitlines()[-1] if error else f"exit {self.process.returncode}"
            raise DatabaseCopyFailed(f"pg_restore failed: {last}")

    def abandon(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def restorer(url: str) -> SqliteRestore | PgRestore:
    path = sqlite_path(url)
    return SqliteRestore(path) if path is not None else PgRestore(url)
