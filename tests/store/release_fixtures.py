"""The committed data of earlier releases (tests/store/fixtures/release-REV/), laid out as an
instance for a test: on SQLite as it was made, or copied row by row into a PostgreSQL schema
made by the same release's migrations."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import MetaData, create_engine, select, text

from sealbox.store.db import Database

FIXTURES = Path(__file__).parent / "fixtures"
RELEASES = sorted(path for path in FIXTURES.glob("release-*") if path.is_dir())


@dataclass
class Release:
    data_dir: Path
    people: dict


def lay_out(release: Path, root: Path, database_url: str) -> Release:
    """Copy `release` into `root/data`; with a PostgreSQL URL its rows go there instead."""
    data = root / "data"
    shutil.copytree(release / "data", data)
    # Git keeps no modes: give the secrets and the directory the ones `sealbox init` gives.
    data.chmod(0o700)
    (data / "secrets.toml").chmod(0o600)
    if database_url:
        into_postgresql(data / "sealbox.db", database_url)
        (data / "sealbox.db").unlink()
    return Release(data, json.loads((release / "people.json").read_text()))


def into_postgresql(sqlite_file: Path, url: str) -> None:
    """Make the schema at the SQLite file's revision (with the migrations), then copy its rows."""
    source = create_engine(f"sqlite:///{sqlite_file}")
    with source.connect() as connection:
        revision = connection.exec_driver_sql("select version_num from alembic_version").scalar()
    target = Database(url)
    target.migrate(to=str(revision))
    theirs, ours = MetaData(), MetaData()
    theirs.reflect(source)
    ours.reflect(target.engine)
    with source.connect() as reading, target.engine.begin() as writing:
        for table in ours.sorted_tables:
            if table.name == "alembic_version":
                continue
            rows = [
                dict(row._mapping) for row in reading.execute(select(theirs.tables[table.name]))
            ]
            if rows:
                writing.execute(table.insert(), rows)
        for table in ours.sorted_tables:
            for column in table.primary_key.columns:
                sequence = writing.execute(
                    text("select pg_get_serial_sequence(:t, :c)"),
                    {"t": table.name, "c": column.name},
                ).scalar()
                if sequence:  # the next number follows the copied rows
                    writing.execute(
                        text(
                            f"select setval('{sequence}', coalesce((select max(\"{column.name}\") "  # noqa: S608
                            f'from "{table.name}"), 0) + 1, false)'
                        )
                    )
    source.dispose()
    target.dispose()
