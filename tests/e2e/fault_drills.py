"""Fault drills against a live `sealbox serve`: sources submit while the database fails under
them. Used by the suite (tests/e2e/test_database_faults.py, generous bounds) and by
bench/faults/run.py (figures beside old main's).

Each submission must end one of two ways: its passphrase page (and its report stored), or a
clear page that gives its text back (and nothing stored). Acknowledgements must equal new rows.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from tests import support
from tests.e2e.live import Instance

CLEAR = ("The database did not answer", "The server is out of space")


@dataclass
class DrillResult:
    submitted: int = 0
    acknowledged: int = 0  # passphrase pages
    clear_errors: int = 0  # a clear page with the typed text in its form
    server_errors: int = 0  # 5xx without the text, or anything else
    transport_errors: int = 0  # connection reset or closed before the answer
    new_rows: int = 0
    faults: int = 0  # connections killed, or lock holds
    statuses: Counter = field(default_factory=Counter)
    passphrases: list[tuple[str, str]] = field(default_factory=list)  # (passphrase, canary)
    odd: list[str] = field(default_factory=list)  # what the server errors said

    def summary(self) -> str:
        return (
            f"{self.submitted} submitted: {self.acknowledged} acknowledged, "
            f"{self.new_rows} new rows, {self.clear_errors} clear errors with the text kept, "
            f"{self.server_errors} server errors, {self.transport_errors} connections dropped "
            f"({self.faults} faults; statuses {dict(sorted(self.statuses.items(), key=str))})"
            + (f"; errors said: {self.odd[:5]}" if self.odd else "")
        )


class PgKiller(threading.Thread):
    """Terminates every backend of the app (by application_name) every `every` seconds."""

    def __init__(self, admin_url: str, app_name: str, every: float, limit: int = 400) -> None:
        super().__init__(daemon=True)
        self.engine = create_engine(admin_url)
        self.app_name = app_name
        self.every = every
        self.limit = limit
        self.stopping = threading.Event()
        self.killed = 0

    def run(self) -> None:
        rounds = 0
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            while not self.stopping.wait(self.every) and rounds < self.limit:
                rounds += 1
                self.killed += len(
                    conn.execute(
                        text(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE application_name = :name AND pid <> pg_backend_pid()"
                        ),
                        {"name": self.app_name},
                    ).all()
                )
        self.engine.dispose()

    def stop(self) -> int:
        self.stopping.set()
        self.join(30)
        return self.killed


class SqliteLocker(threading.Thread):
    """Holds the SQLite database's write lock for `hold` seconds every `every` seconds, as
    another process writing (a backup tool, a second program) would."""

    def __init__(self, path: Path, hold: float, every: float, limit: int = 200) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.hold = hold
        self.every = every
        self.limit = limit
        self.stopping = threading.Event()
        self.killed = 0

    def run(self) -> None:
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            while not self.stopping.wait(self.every) and self.killed < self.limit:
                connection.execute("BEGIN IMMEDIATE")
                self.killed += 1
                self.stopping.wait(self.hold)
                connection.execute("ROLLBACK")
        finally:
            connection.close()

    def stop(self) -> int:
        self.stopping.set()
        self.join(30)
        return self.killed


def reports(instance: Instance) -> int:
    return instance.sql("SELECT count(*) FROM reports")[0]


def submit_one(url: str, result: DrillResult, lock: threading.Lock) -> None:
    canary = f"FAULTDRILL{secrets.token_hex(8)}"
    typed = f"{canary} what I saw at the depot"
    with httpx.Client(base_url=url, timeout=90) as source:
        try:
            page = None
            for _ in range(5):  # the form itself may meet the fault; a person reloads
                page = source.get("/submit/fraud")
                if page.status_code == 200:
                    break
            if page is None or page.status_code != 200:
                with lock:
                    result.submitted += 1
                    result.server_errors += 1
                    result.statuses[f"form {page.status_code if page else '-'}"] += 1
                return
            sent = source.post(
                "/submit/fraud",
                data={"form_token": support.token(page.text), "text": typed},
                files=[("files", ("notes.txt", b"x" * 20_000, "application/octet-stream"))],
            )
        except httpx.TransportError:
            with lock:
                result.submitted += 1
                result.transport_errors += 1
            return
    with lock:
        result.submitted += 1
        result.statuses[sent.status_code] += 1
        if sent.status_code == 200 and re.search(r"<li>[a-z-]+</li>", sent.text):
            result.acknowledged += 1
            result.passphrases.append((support.passphrase_of(sent), canary))
        elif (
            400 <= sent.status_code < 600
            and typed in sent.text
            and any(message in sent.text for message in CLEAR)
        ):
            result.clear_errors += 1
        else:
            result.server_errors += 1
            said = re.search(r'class="error"[^>]*>([^<]*)<', sent.text)
            result.odd.append(f"{sent.status_code} {said.group(1) if said else sent.text[:120]!r}")


def run_submissions(instance: Instance, fault, count: int, workers: int) -> DrillResult:
    """`count` submissions from `workers` sources at once while `fault` runs."""
    result = DrillResult()
    before = reports(instance)
    lock = threading.Lock()
    todo = iter(range(count))
    todo_lock = threading.Lock()

    def source() -> None:
        while True:
            with todo_lock:
                if next(todo, None) is None:
                    return
            submit_one(instance.url, result, lock)

    threads = [threading.Thread(target=source, daemon=True) for _ in range(workers)]
    fault.start()
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(1.0, 900 - (time.monotonic() - started)))
    result.faults = fault.stop()
    result.new_rows = reports(instance) - before
    return result


def unhandled_lines(instance: Instance) -> int:
    """Unexpected errors the server logged (the web layer's and uvicorn's own)."""
    log = "\n".join(path.read_text(errors="replace") for path in instance.logs)
    return log.count("unhandled ") + log.count("Exception in ASGI application")
