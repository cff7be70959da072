"""What a thief takes: every file of the data directory (secrets file included) and, on
PostgreSQL, the database's table files and the server's WAL, as they lie on disk."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from sealbox.services import Services


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
