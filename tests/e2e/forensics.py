"""Reading a copy of the server the way an adversary would: file times with `stat`, the SQLite
files byte by byte, PostgreSQL's heap (ctid, xmin), its TOAST, its table files and pg_dump.

Nothing here goes through Sealbox's code: only the database drivers, `stat`, `pg_dump` and bytes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@dataclass(frozen=True)
class Stamp:
    path: str
    kind: str  # birth, access, modify, change
    at: float


def file_stamps(root: Path) -> list[Stamp]:
    """Every time the filesystem keeps for `root` and everything under it (GNU `stat`)."""
    return stamps_of([root, *sorted(root.rglob("*"))])


def stamps_of(paths) -> list[Stamp]:
    """Birth, access, modify and change time of each path, as `stat` reports them."""
    paths = [str(p) for p in paths]
    stamps = []
    for start in range(0, len(paths), 500):
        out = subprocess.run(
            ["stat", "--format=%.9W %.9X %.9Y %.9Z %n", *paths[start : start + 500]],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for line in out.splitlines():
            birth, access, modify, change, name = line.split(" ", 4)
            label = "/".join(Path(name).parts[-3:])
            for kind, value in (
                ("birth", birth),
                ("access", access),
                ("modify", modify),
                ("change", change),
            ):
                if float(value) > 0:  # 0: the filesystem does not keep it
                    stamps.append(Stamp(label, kind, float(value)))
    return stamps


def inside(stamps: list[Stamp], start: float, end: float) -> list[str]:
    """The stamps that fall in [start, end): each one dates something done in that window."""
    return [
        f"{s.path}: {s.kind} time {s.at - start:+.3f} s into the window"
        for s in stamps
        if start <= s.at < end
    ]


# --- Reading rows, on either database ------------------------------------------------------


@dataclass
class Copy:
    """A database as its copy shows it: each table's columns, key and rows."""

    columns: dict[str, list[str]]
    keys: dict[str, list[str]]
    parents: dict[str, set[str]]  # table -> tables it references
    rows: dict[str, list[tuple]]

    def report_tables(self) -> set[str]:
        """`reports` and every table that hangs off it through foreign keys."""
        found = {"reports"}
        grew = True
        while grew:
            grew = False
            for table, parents in self.parents.items():
                if table not in found and parents & found:
                    found.add(table)
                    grew = True
        return found

    def dicts(self, table: str) -> list[dict]:
        return [dict(zip(self.columns[table], row, strict=True)) for row in self.rows[table]]


def sqlite_copy(data_dir: Path, into: Path) -> Path:
    """Copy the database files (main, -wal) as a thief would, and return the copied main file."""
    into.mkdir(parents=True, exist_ok=True)
    for path in data_dir.glob("sealbox.db*"):
        if not path.name.endswith("-shm"):
            shutil.copyfile(path, into / path.name)
    return into / "sealbox.db"


def read_sqlite(path: Path) -> Copy:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            name
            for (name,) in db.execute(
                "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'"
            )
        ]
        columns, keys, parents, rows = {}, {}, {}, {}
        for table in tables:
            info = db.execute(f'pragma table_info("{table}")').fetchall()
            columns[table] = [c[1] for c in info]
            keys[table] = [c[1] for c in sorted(info, key=lambda c: c[5]) if c[5]]
            parents[table] = {fk[2] for fk in db.execute(f'pragma foreign_key_list("{table}")')}
            rows[table] = db.execute(f'select * from "{table}"').fetchall()
        return Copy(columns, keys, parents, rows)
    finally:
        db.close()


def has_rowid(path: Path, table: str) -> bool:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        db.execute(f'select rowid from "{table}" limit 1').fetchall()
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        db.close()


def sqlite_rebuilt(path: Path) -> Path:
    """The same rows written afresh (VACUUM INTO): the layout that depends on the rows alone."""
    # From a copy of the copy: closing a connection checkpoints the WAL into the main file.
    source = sqlite_copy(path.parent, path.parent / "rebuild")
    target = path.with_name("rebuilt.db")
    target.unlink(missing_ok=True)
    db = sqlite3.connect(source)
    try:
        db.execute("vacuum into ?", (str(target),))
    finally:
        db.close()
    return target


def sqlite_pages(path: Path) -> tuple[int, int]:
    """(page size, pages on the free list) from the copied file's header."""
    header = path.read_bytes()[:100]
    size = int.from_bytes(header[16:18], "big")
    return (65536 if size == 1 else size), int.from_bytes(header[36:40], "big")


def pg_engine(database_url: str):
    return create_engine(database_url)


def read_pg(database_url: str, schema: str) -> Copy:
    engine = pg_engine(database_url)
    try:
        with engine.connect() as connection:
            tables = connection.execute(
                text("select tablename from pg_tables where schemaname = :s"), {"s": schema}
            ).scalars()
            columns, keys, parents, rows = {}, {}, {}, {}
            for table in list(tables):
                columns[table] = list(
                    connection.execute(
                        text(
                            "select column_name from information_schema.columns "
                            "where table_schema = :s and table_name = :t order by ordinal_position"
                        ),
                        {"s": schema, "t": table},
                    ).scalars()
                )
                keys[table] = list(
                    connection.execute(
                        text(
                            "select a.attname from pg_index i join pg_attribute a on "
                            "a.attrelid = i.indrelid and a.attnum = any(i.indkey) "
                            "where i.indrelid = cast(:t as regclass) and i.indisprimary "
                            "order by array_position(i.indkey, a.attnum)"
                        ),
                        {"t": f'"{schema}"."{table}"'},
                    ).scalars()
                )
                parents[table] = set(
                    connection.execute(
                        text(
                            "select confrelid::regclass::text from pg_constraint "
                            "where conrelid = cast(:t as regclass) and contype = 'f'"
                        ),
                        {"t": f'"{schema}"."{table}"'},
                    ).scalars()
                )
                parents[table] = {p.split(".")[-1].strip('"') for p in parents[table]}
                rows[table] = [
                    tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                    for row in connection.execute(text(f'select * from "{table}"'))
                ]
        return Copy(columns, keys, parents, rows)
    finally:
        engine.dispose()


def heap(database_url: str, table: str, key: list[str]) -> list[tuple[tuple, int, tuple]]:
    """(ctid, xmin, key) of every row, in heap order: where and by whom each row was written."""
    engine = pg_engine(database_url)
    try:
        with engine.connect() as connection:
            cols = ", ".join(f'"{c}"' for c in key)
            found = connection.execute(
                text(f'select ctid::text, xmin::text, {cols} from "{table}"')
            ).all()
        return sorted((_ctid(r[0]), int(r[1]), tuple(r[2:])) for r in found)
    finally:
        engine.dispose()


def toast(database_url: str, table: str) -> list[tuple[tuple, int, int]]:
    """(ctid, xmin, value oid) of every chunk in the table's TOAST relation, in heap order."""
    engine = create_engine(database_url)  # the database the instance uses
    schema = schema_of(database_url)
    try:
        with engine.connect() as connection:
            relation = connection.execute(
                text(
                    "select reltoastrelid::regclass::text from pg_class "
                    "where oid = cast(:t as regclass)"
                ),
                {"t": f'"{schema}"."{table}"'},
            ).scalar()
            if not relation or relation == "-":
                return []
            found = connection.execute(
                text(f"select ctid::text, xmin::text, chunk_id from {relation}")
            ).all()
        return sorted((_ctid(r[0]), int(r[1]), int(r[2])) for r in found)
    finally:
        engine.dispose()


def _ctid(value: str) -> tuple[int, int]:
    block, item = value.strip("()").split(",")
    return int(block), int(item)


def schema_of(database_url: str) -> str:
    return database_url.split("csearch_path%3D")[1]


def pg_dump(database_url: str) -> str:
    if shutil.which("pg_dump") is None:
        raise AssertionError("pg_dump is missing (scripts/install-test-deps installs it)")
    return subprocess.run(
        [
            "pg_dump",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            make_url(database_url).database,
            "-n",
            schema_of(database_url),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def dump_rows(dump: str, table: str) -> list[list[str]]:
    """The rows of `table` in the order pg_dump wrote them (its COPY block)."""
    match = re.search(
        rf'^COPY [^ ]*\.?"?{table}"? \(.*?\) FROM stdin;\n(.*?)^\\\.$', dump, re.S | re.M
    )
    if not match:
        return []
    return [line.split("\t") for line in match.group(1).splitlines()]


def pg_files(
    database_url: str, tables: list[str] | None = None, statistics: bool = False
) -> dict[str, Path]:
    """The on-disk files of the schema's tables (or only `tables`): heap, TOAST and indexes,
    and with `statistics` pg_statistic (ANALYZE keeps sample values there), after a CHECKPOINT
    so that they hold what the server holds."""
    engine = create_engine(database_url)  # the database the instance uses
    schema = schema_of(database_url)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("checkpoint"))
            root = Path(connection.execute(text("show data_directory")).scalar())
            owners = connection.execute(
                text(
                    "select c.oid, c.relname from pg_class c join pg_namespace n "
                    "on n.oid = c.relnamespace where n.nspname = :s and c.relkind = 'r'"
                ),
                {"s": schema},
            ).all()
            oids = [oid for oid, name in owners if tables is None or name in tables]
            related = connection.execute(
                text(
                    "select c.relname, pg_relation_filepath(c.oid) from pg_class c "
                    "where c.oid = any(:o) or c.oid in (select reltoastrelid from pg_class "
                    "where oid = any(:o)) or c.oid in (select indexrelid from pg_index "
                    "where indrelid = any(:o) or indrelid in (select reltoastrelid from "
                    "pg_class where oid = any(:o)))"
                ),
                {"o": oids},
            ).all()
            stats = connection.execute(text("select pg_relation_filepath('pg_statistic')")).scalar()
        files = {}
        for name, relative in [*related, *([("pg_statistic", stats)] if statistics else [])]:
            if relative is None:
                continue
            for segment in sorted(root.glob(relative + "*")):
                # The main fork and its 1 GiB segments; also _fsm/_vm, which hold no rows.
                files[f"{name}:{segment.name}"] = segment
        return files
    finally:
        engine.dispose()


# --- Dating values -----------------------------------------------------------------------


ISO = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}")


def moments(value) -> list[float]:
    """The instants a stored value could be: a datetime, an epoch number, an ISO string."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return [value.timestamp()]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [float(value)] if 1.5e9 < value < 2.5e9 else []
    if isinstance(value, str):
        found = []
        for match in ISO.finditer(value):
            with contextlib.suppress(ValueError):
                at = dt.datetime.fromisoformat(match.group(0))
                found.append(at.replace(tzinfo=dt.UTC).timestamp())
        return found
    return []


def carve(files: dict[str, bytes], needles: dict[str, bytes | list[bytes]]) -> list[str]:
    """Where each needle (or any of its pieces) shows up: `label in place`."""
    return [
        f"{label} in {place}"
        for label, needle in needles.items()
        for place, data in files.items()
        if any(piece in data for piece in (needle if isinstance(needle, list) else [needle]))
    ]


def pieces_of(value: bytes | str, count: int = 8) -> list[bytes]:
    """24-byte pieces spread over a value: a long one is split across pages or TOAST chunks,
    so each piece is looked for on its own."""
    raw = as_bytes(value)
    if raw.startswith(b"age-encryption.org/v1\n-> X25519 "):
        raw = raw[34:]  # the header every age file shares; the random part follows
    step = max(1, (len(raw) - 24) // max(1, count - 1))
    return [raw[i : i + 24] for i in range(0, max(1, len(raw) - 23), step)][:count]


def as_bytes(value: bytes | str) -> bytes:
    return value.encode() if isinstance(value, str) else bytes(value)


def slice_of(value: bytes | str) -> bytes:
    """A 24-byte piece from the middle of a unique value: enough to find it, never by chance."""
    raw = as_bytes(value)
    middle = len(raw) // 2
    return raw[max(0, middle - 12) : middle + 12]
