"""Chronology job benchmark: the daily and hourly passes at 20,000 reports, SQLite and PostgreSQL.

    python3 bench/chronology/run.py [--backend sqlite|postgresql|both] [--reports N]

Fills a fresh instance as bench/inbox does (each report: its row, a key wrap, a sealed message
with its sealed place, a source-access row), adds one 4 KiB blob file per report in the shards
and a day's uploads (pool files written by the blob store, and some past an empty pool), then
times the daily pass, an hourly pass and their parts. Next to them, measured in the same run:
reading every row of the report tables once, a backup of the database (a file copy on SQLite,
pg_dump on PostgreSQL) and a stat of every file of the blob store.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from sealbox import crypto
from sealbox.crypto import Identity
from sealbox.jobs import chronology
from sealbox.jobs.models import JobMark
from sealbox.store import filetimes
from sealbox.store.tables import tied_to_reports

spec = importlib.util.spec_from_file_location(
    "inbox_bench", Path(__file__).parents[1] / "inbox/run.py"
)
inbox_bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(inbox_bench)

SCHEMA = "bench_chronology"
BLOB = 4096
UPLOADS_TODAY = 300
POOL = 250  # so that 50 of today's uploads find the pool empty


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def add_blobs(svc, count: int) -> None:
    """One settled blob per report (bytes that look like ciphertext), then today's uploads."""
    filler = crypto.AGE_MAGIC + os.urandom(BLOB - len(crypto.AGE_MAGIC))
    for _ in range(count):
        blob_id = os.urandom(16).hex()
        (svc.blobs.root / blob_id[:2] / blob_id).write_bytes(filler)
    svc.blobs.fill_pool(POOL)
    key = Identity.generate()
    for _ in range(UPLOADS_TODAY):
        svc.blobs.put(crypto.seal_stream(io.BytesIO(os.urandom(BLOB - 200)), key.recipient))


def read_everything(svc) -> None:
    with svc.db.engine.connect() as connection:
        for table in tied_to_reports():
            connection.execute(text(f'SELECT * FROM "{table.name}"')).fetchall()


def backup(svc, database_url: str, workdir: Path) -> None:
    if not database_url:
        shutil.copyfile(svc.settings.data_dir / "sealbox.db", workdir / "backup.db")
        return
    subprocess.run(
        ["pg_dump", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-n", SCHEMA, "-Fc"],
        stdout=subprocess.DEVNULL,
        check=True,
    )


def stat_files(svc) -> None:
    for directory, _, files in os.walk(svc.settings.data_dir):
        for name in files:
            os.stat(os.path.join(directory, name))


def pass_of(svc, daily: bool) -> str:
    with svc.db.transaction() as session:
        mark = session.get(JobMark, chronology.DAILY)
        if daily and mark is not None:
            session.delete(mark)
    return chronology.run(svc)


def run(backend: str, count: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"sealbox-bench-chronology-{backend}-"))
    database_url = ""
    admin = None
    if backend == "postgresql":
        admin = create_engine(inbox_bench.PG_URL)
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        database_url = f"{inbox_bench.PG_URL}?options=-csearch_path%3D{SCHEMA}"
    try:
        svc, handler, _, channel_ids = inbox_bench.setup(database_url, workdir / "data")
        generator = inbox_bench.rows(count, channel_ids, handler, svc.clock.today())
        fill = inbox_bench.fill_sqlite if backend == "sqlite" else inbox_bench.fill_postgresql
        fill(svc, generator)
        add_blobs(svc, count)
        files = sum(len(f) for _, _, f in os.walk(svc.settings.data_dir))
        with svc.db.engine.connect() as connection:
            rows = sum(
                connection.execute(text(f'SELECT count(*) FROM "{t.name}"')).scalar()
                for t in tied_to_reports()
            )
        print(f"[{backend}] {count:,} reports: {rows:,} rows in the report tables, {files:,} files")

        outcome = []
        daily = timed(lambda: outcome.append(pass_of(svc, daily=True)))
        hourly = timed(lambda: outcome.append(pass_of(svc, daily=False)))
        relayout = timed(lambda: svc.db.relayout(tied_to_reports()))
        blur = timed(lambda: filetimes.blur(svc.settings.data_dir, "bench-all"))
        scan = timed(lambda: read_everything(svc))
        copy = timed(lambda: backup(svc, database_url, workdir))
        stat = timed(lambda: stat_files(svc))
        tool = "pg_dump" if database_url else "a file copy"
        print(f"  daily pass                                  {daily:7.2f} s  ({outcome[0]})")
        print(f"  hourly pass                                 {hourly:7.2f} s  ({outcome[1]})")
        print(f"    tables rewritten                          {relayout:7.2f} s")
        print(f"    file times set (every file)               {blur:7.2f} s")
        print(f"  reference: read every report-table row      {scan:7.2f} s")
        print(f"  reference: back the database up ({tool:<11}) {copy:7.2f} s")
        print(f"  reference: stat every file                  {stat:7.2f} s")
        svc.db.dispose()
    finally:
        if admin is not None:
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            admin.dispose()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--reports", type=int, default=20_000)
    args = parser.parse_args()
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        run(backend, args.reports)


if __name__ == "__main__":
    main()
