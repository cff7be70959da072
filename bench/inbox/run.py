"""Inbox benchmark: 1,000,000 reports on SQLite and PostgreSQL, the handler inbox timed over HTTP.

    python3 bench/inbox/run.py [--backend sqlite|postgresql|both] [--reports N] [--requests N]

Fills a fresh database with bulk inserts (report rows with a sealed preview, one key wrap, one
notes-key wrap and one sealed message each, one source-access row each; the same sealed bytes
are reused, which the database cannot tell apart, but each row's are opened again), starts
`sealbox serve` against it, logs a handler in and times the inbox's first page, a status
filter, the overdue view, the "latest activity" sort and the "unread only" filter. The first
page opens each row's preview in memory (and those of the "needs attention" section: every
report is unread here), as it does for a handler. Prints p50/p95 in milliseconds. The
PostgreSQL run uses its own schema (search_path) and drops it afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pyotp
from sqlalchemy import create_engine, select, text
from starlette.testclient import TestClient

from sealbox import crypto, services, settings
from sealbox.accounts import staff_admin
from sealbox.accounts.models import User
from sealbox.channels import channel_admin, channel_settings
from sealbox.crypto import Identity
from sealbox.reports import deadlines
from sealbox.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests import enrolment  # noqa: E402

PG_URL = os.environ.get("SEALBOX_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_inbox"
PASSWORD = "bench-password-of-some-length"
BATCH = 20_000
VIEWS = {
    "first page": "/staff/",
    "status = in progress": "/staff/?status=in_progress",
    "status = new": "/staff/?status=new",
    "overdue view": "/staff/overdue",
    "latest activity": "/staff/?sort=activity",
    "unread only": "/staff/?unread=1",
}
# Most reports of a long-running channel are closed; a few wait for action.
STATUSES = [("closed", 70), ("in_progress", 20), ("acknowledged", 8), ("new", 2)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def setup(database_url: str, data_dir: Path):
    """Schema, a handler on four channels; returns (services, handler user, totp secret)."""
    svc = services.build(settings.load(environ={}, data_dir=data_dir, database_url=database_url))
    with svc.db.transaction() as session:
        added = staff_admin.add(
            session, svc.clock, svc.kdf, staff_admin.INSTALLER, "bench", "handler"
        )
        for n in range(4):
            channel_admin.create(
                session,
                svc.clock,
                staff_admin.INSTALLER,
                f"channel-{n}",
                f"Channel {n}",
                handlers=["bench"],
            )
    # The handler enrols as a person does at first login; their key is made under PASSWORD.
    with TestClient(create_app(svc), base_url="http://bench.test") as client:
        done = enrolment.enrol(client, "bench", added.password, password=PASSWORD)
    with svc.db.transaction() as session:
        handler = session.scalar(select(User).where(User.username == "bench"))
        channel_ids = [c.id for c in channel_settings.open_channels(session)]
    return svc, handler, done.totp_secret, channel_ids


def rows(count: int, channel_ids: list[str], handler, today: dt.date):
    """Report rows and their dependants, generated deterministically and fast."""
    report_key = Identity.generate()
    public_key = str(report_key.recipient)
    wrap = crypto.wrap_identity(report_key, crypto.Recipient.parse(handler.public_key)).ciphertext
    body = crypto.seal(b'{"text": "benchmark", "answers": {}}', report_key.recipient).ciphertext
    notes_key = Identity.generate()
    notes_wrap = crypto.wrap_identity(notes_key, crypto.Recipient.parse(handler.public_key))
    preview = crypto.seal(b"benchmark", notes_key.recipient).ciphertext
    place = crypto.seal(b"0", report_key.recipient).ciphertext
    source_wrap = crypto.wrap_identity(report_key, Identity.generate().recipient).ciphertext
    weights = [s for s, w in STATUSES for _ in range(w)]
    span = 3 * 365
    for n in range(count):
        report_id = secrets.token_hex(16)
        received = today - dt.timedelta(days=n * span // count)
        status = weights[n % len(weights)]
        acknowledged = None if status == "new" else received + dt.timedelta(days=3)
        closed = acknowledged + dt.timedelta(days=60) if status == "closed" else None
        feedback = acknowledged + dt.timedelta(days=30) if status == "closed" else None
        due = None
        if status == "new":
            due = deadlines.initial_due(received)
        elif status != "closed":
            due = deadlines.add_months(acknowledged, deadlines.FEEDBACK_WITHIN_MONTHS)
        report = (
            report_id,
            channel_ids[n % len(channel_ids)],
            public_key,
            received,
            status,
            acknowledged,
            1,
            1,
            closed,
            False,
            False,
            feedback,
            due,
            received,
            str(notes_key.recipient),
            preview,
        )
        message = (secrets.token_hex(16), report_id, place, "source", received, body)
        yield (
            report,
            (report_id, handler.id, wrap),
            message,
            (secrets.token_hex(32), report_id, source_wrap),
            (report_id, handler.id, notes_wrap.ciphertext),
        )


REPORT_COLUMNS = (
    "id, channel_id, public_key, received_on, status, acknowledged_on, source_seq, message_count, "
    "closed_on, legal_hold, flagged, feedback_on, due_on, activity_on, notes_public_key, preview"
)
TABLES = {
    "reports": REPORT_COLUMNS,
    "report_keys": "report_id, user_id, wrapped",
    "messages": "id, report_id, place, author, sent_on, body",
    "source_access": "lookup_id, report_id, wrapped",
    "note_keys": "report_id, user_id, wrapped",
}


def fill_sqlite(svc, generator) -> None:
    raw = svc.db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA secure_delete=OFF")
        batches = {name: [] for name in TABLES}

        def flush():
            for name, columns in TABLES.items():
                marks = ", ".join("?" for _ in columns.split(","))
                cursor.executemany(
                    f"INSERT INTO {name} ({columns}) VALUES ({marks})", batches[name]
                )
                batches[name].clear()
            raw.commit()

        for n, row_set in enumerate(generator, 1):
            for name, row in zip(TABLES, row_set, strict=True):
                batches[name].append(tuple(_sqlite(v) for v in row))
            if n % BATCH == 0:
                flush()
        flush()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def _sqlite(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def fill_postgresql(svc, generator) -> None:
    raw = svc.db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        buffered = {name: [] for name in TABLES}
        for row_set in generator:
            for name, row in zip(TABLES, row_set, strict=True):
                buffered[name].append(row)
        # Parents first: the foreign keys are checked row by row.
        for name, columns in TABLES.items():
            with cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                for row in buffered[name]:
                    copy.write_row(row)
            buffered[name].clear()
            raw.commit()
        # The steady state autovacuum reaches: statistics and a visibility map, so that
        # index-only scans stay index-only. (Timed straight after COPY they are not.)
        raw.driver_connection.autocommit = True
        raw.driver_connection.execute("VACUUM ANALYZE")
        raw.driver_connection.autocommit = False  # the connection goes back to the pool
    finally:
        raw.close()


def serve(data_dir: Path, database_url: str, port: int) -> subprocess.Popen:
    env = dict(
        os.environ,
        SEALBOX_DATA_DIR=str(data_dir),
        SEALBOX_DATABASE_URL=database_url,
        SEALBOX_JOBS_IN_PROCESS="0",
        SEALBOX_LOG_LEVEL="warning",
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from sealbox.cli import main; main()",
            "serve",
            "--port",
            str(port),
        ],
        env=env,
        start_new_session=True,
    )
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/staff/login", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("sealbox serve did not start")


def log_in(client: httpx.Client, totp_secret: str) -> None:
    page = client.get("/staff/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    answer = client.post(
        "/staff/login",
        data={
            "csrf": csrf,
            "username": "bench",
            "password": PASSWORD,
            "totp": pyotp.TOTP(totp_secret).now(),
        },
    )
    assert answer.status_code == 303, answer.text


def time_views(port: int, totp_secret: str, requests: int) -> dict[str, tuple[float, float, int]]:
    results = {}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        log_in(client, totp_secret)
        for name, path in VIEWS.items():
            for _ in range(5):
                warm = client.get(path)
                assert warm.status_code == 200, (path, warm.status_code)
            timings = []
            for _ in range(requests):
                start = time.perf_counter()
                answer = client.get(path)
                timings.append((time.perf_counter() - start) * 1000)
                assert answer.status_code == 200
            rows = answer.text.count('href="/staff/reports/')
            cuts = statistics.quantiles(timings, n=100)
            results[name] = (statistics.median(timings), cuts[94], rows)
    return results


def run(backend: str, count: int, requests: int, keep: bool = False) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"sealbox-bench-{backend}-"))
    database_url = ""
    admin = None
    if backend == "postgresql":
        admin = create_engine(PG_URL)
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        database_url = f"{PG_URL}?options=-csearch_path%3D{SCHEMA}"
    process = None
    try:
        svc, handler, totp_secret, channel_ids = setup(database_url, workdir / "data")
        start = time.perf_counter()
        generator = rows(count, channel_ids, handler, svc.clock.today())
        (fill_sqlite if backend == "sqlite" else fill_postgresql)(svc, generator)
        print(
            f"[{backend}] filled {count:,} reports in {time.perf_counter() - start:.0f} s",
            flush=True,
        )
        svc.db.dispose()
        port = free_port()
        process = serve(workdir / "data", database_url, port)
        results = time_views(port, totp_secret, requests)
        print(f"[{backend}] {requests} requests per view over HTTP (ms):")
        for name, (p50, p95, shown) in results.items():
            verdict = "ok" if p95 < 50 else "OVER TARGET"
            print(f"  {name:<22} p50 {p50:6.1f}   p95 {p95:6.1f}   rows {shown:3d}   {verdict}")
    finally:
        if process is not None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)
        if keep:
            print(f"[{backend}] kept {workdir} (and schema {SCHEMA} on PostgreSQL)")
        else:
            if admin is not None:
                with admin.begin() as connection:
                    connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
                admin.dispose()
            shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="Keep the data (to study plans).")
    args = parser.parse_args()
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        run(backend, args.reports, args.requests, args.keep)


if __name__ == "__main__":
    main()
