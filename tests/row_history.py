"""Every version of a table's rows that the database files still hold, as a forensic reader of
a copied data directory would find them.

SQLite: the main file, then the main file with the WAL's frames applied one commit at a time
(so a row that was later updated shows up as it was). PostgreSQL: every tuple in the table's
pages, dead ones included (what the table files on disk hold), read with `pageinspect`.
"""

from __future__ import annotations

import sqlite3
import struct
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

WAL_HEADER, FRAME_HEADER = 32, 24


def versions(engine: Engine, data_dir: Path, table: str, columns: list[str]) -> set[tuple]:
    """Distinct tuples of `columns` over every version of `table`'s rows in the files."""
    if engine.dialect.name == "sqlite":
        return _sqlite_versions(data_dir / "sealbox.db", table, columns)
    return _postgresql_versions(engine, table, columns)


def _sqlite_images(db: Path) -> list[bytes]:
    main = db.read_bytes()
    images = [main]
    wal = db.with_name(db.name + "-wal")
    data = wal.read_bytes() if wal.exists() else b""
    if len(data) < WAL_HEADER:
        return images
    page_size = struct.unpack(">I", data[8:12])[0]
    image = bytearray(main)
    offset = WAL_HEADER
    while offset + FRAME_HEADER + page_size <= len(data):
        page_no, commit_size = struct.unpack(">II", data[offset : offset + 8])
        page = data[offset + FRAME_HEADER : offset + FRAME_HEADER + page_size]
        start = (page_no - 1) * page_size
        if len(image) < start + page_size:
            image.extend(b"\0" * (start + page_size - len(image)))
        image[start : start + page_size] = page
        if commit_size:
            images.append(bytes(image[: commit_size * page_size]))
        offset += FRAME_HEADER + page_size
    return images


def _sqlite_versions(db: Path, table: str, columns: list[str]) -> set[tuple]:
    found: set[tuple] = set()
    with tempfile.TemporaryDirectory() as scratch:
        for n, image in enumerate(_sqlite_images(db)):
            copy = Path(scratch) / f"image-{n}.db"
            # Bytes 18-19 say "WAL mode"; the image already holds the frames, so read it alone.
            copy.write_bytes(image[:18] + b"\x01\x01" + image[20:])
            try:
                connection = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
                rows = connection.execute(f"select {', '.join(columns)} from {table}").fetchall()
                connection.close()
            except sqlite3.DatabaseError:
                continue  # an image caught between two commits of a multi-page change
            found.update(tuple(_bytes(v) for v in row) for row in rows)
    return found


def _postgresql_versions(engine: Engine, table: str, columns: list[str]) -> set[tuple]:
    found: set[tuple] = set()
    with engine.connect() as connection:
        for _ in range(5):  # tests in parallel may race to create the extension
            try:
                with connection.begin():
                    connection.execute(
                        text("create extension if not exists pageinspect schema public")
                    )
                break
            except DBAPIError:
                continue
        attributes = connection.execute(
            text(
                "select attname from pg_attribute where attrelid = cast(:t as regclass) "
                "and attnum > 0 order by attnum"
            ),
            {"t": table},
        ).scalars()
        position = {name: n for n, name in enumerate(attributes)}
        pages = connection.execute(
            text(
                "select pg_relation_size(cast(:t as regclass)) / current_setting('block_size')::int"
            ),
            {"t": table},
        ).scalar()
        for page in range(pages):
            rows = connection.execute(
                text(
                    "select public.tuple_data_split(cast(:t as regclass), t_data, t_infomask, "
                    "t_infomask2, t_bits) from public.heap_page_items(public.get_raw_page(:t, :p)) "
                    "where t_data is not null"
                ),
                {"t": table, "p": page},
            ).scalars()
            for values in rows:
                found.add(tuple(_varlena(values[position[c]]) for c in columns))
    return found


def _varlena(raw: bytes | None) -> bytes | None:
    """The bytes of a variable-length value as stored on the page (short or long header)."""
    if raw is None:
        return None
    raw = bytes(raw)
    if raw[0] & 0x01:
        return raw[1 : raw[0] >> 1]
    return raw[4 : int.from_bytes(raw[:4], "little") >> 2]


def _bytes(value) -> bytes | None:
    if value is None:
        return None
    return value.encode() if isinstance(value, str) else bytes(value)


def database_files(engine: Engine, data_dir: Path) -> dict[str, bytes]:
    """The bytes of the database as they rest on disk: SQLite's files in the data directory,
    or PostgreSQL's files for every table of the schema (after a CHECKPOINT)."""
    if engine.dialect.name == "sqlite":
        return {p.name: p.read_bytes() for p in data_dir.glob("sealbox.db*")}
    files = {}
    with engine.connect() as connection:
        connection.execute(text("checkpoint"))
        root = Path(connection.execute(text("show data_directory")).scalar())
        relations = connection.execute(
            text(
                "select c.relname, pg_relation_filepath(c.oid) from pg_class c "
                "join pg_namespace n on n.oid = c.relnamespace "
                "where n.nspname = current_schema() and c.relkind in ('r', 't', 'i') "
                "union all select t.relname, pg_relation_filepath(t.oid) from pg_class c "
                "join pg_namespace n on n.oid = c.relnamespace "
                "join pg_class t on t.oid = c.reltoastrelid where n.nspname = current_schema()"
            )
        ).all()
    for name, path in relations:
        first = root / path
        # A table over 1 GiB continues in segments named 16384.1, 16384.2, ...
        for segment in [first, *sorted(first.parent.glob(first.name + ".*"))]:
            files[f"{name}:{segment.name}"] = segment.read_bytes()
    return files


def settle(services, *tables: str, wait_seconds: float = 60.0) -> None:
    """Rewrite `tables` (as Sealbox's next rewrite would) once no transaction can still see a
    row version deleted before this call.

    PostgreSQL keeps a deleted row version while a snapshot taken before the delete is open
    in the same database (VACUUM FULL copies it into the new file): a pooled connection left
    idle in a transaction, another test's transaction, an autovacuum's ANALYZE. So this takes
    a transaction id after the delete, waits until no other backend of the database holds a
    snapshot (xmin) or a transaction (xid) older than it, then rewrites. Still held after
    `wait_seconds`: the test fails, naming what holds it, rather than check a file that may
    keep the row for a reason the code under test does not control."""
    if services.db.engine.dialect.name == "sqlite":
        return
    with services.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        horizon = connection.execute(text("select txid_current() % 4294967296")).scalar()
        deadline = time.monotonic() + wait_seconds
        while True:
            holders = connection.execute(
                text(
                    "select pid, backend_type, state, application_name, xact_start, "
                    "left(query, 80) from pg_stat_activity "
                    "where datname = current_database() and pid <> pg_backend_pid() and ("
                    "age(backend_xmin) > age(cast(cast(:h as text) as xid)) or "
                    "age(backend_xid) > age(cast(cast(:h as text) as xid)))"
                ),
                {"h": horizon},
            ).all()
            if not holders:
                break
            assert time.monotonic() < deadline, (
                f"after {wait_seconds:.0f} s, these still hold a snapshot older than the "
                f"delete, so VACUUM FULL would keep the deleted rows: {holders}"
            )
            time.sleep(0.1)
    services.db.forget(*tables)


def files_still_holding(services, table: str, needle: bytes, rounds: int = 3) -> list[str]:
    """The database files that still hold `needle` once `table` was rewritten with no older
    snapshot left (`settle`). PostgreSQL decides what a rewrite keeps from the snapshots open
    when it starts, which a check just before cannot fully pin down on a busy server; so the
    rewrite is tried up to `rounds` times, each after a fresh wait. A row the code under test
    kept (a copy, a column not overwritten) survives every round and is reported."""
    holding: list[str] = []
    for _ in range(rounds):
        settle(services, table)
        files = database_files(services.db.engine, services.settings.data_dir)
        holding = [name for name, data in files.items() if needle in data]
        if not holding or services.db.engine.dialect.name == "sqlite":
            break
    return holding
