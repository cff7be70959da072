"""Fault drills against a live `sealbox serve`: the database fails under sources submitting,
the disk fills, a server dies or starts mid-upload. Used by the suite (tests/e2e/test_*: bounds)
and by bench/faults/run.py (figures beside old main's, whose code a drill runs as well).

Each submission must end one of two ways: its passphrase page (and its report stored), or a
clear page that gives its text back (and nothing stored). Acknowledgements must equal new rows.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from tests import support
from tests.live_server import Instance

CLEAR = ("The database did not answer", "The server is out of space")
UNKNOWN = "we cannot tell whether it arrived"


@dataclass
class DrillResult:
    submitted: int = 0
    acknowledged: int = 0  # passphrase pages
    clear_errors: int = 0  # a clear page with the typed text in its form
    unknown: int = 0  # "we cannot tell whether it arrived" (the outcome was never learnt)
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
            f"{self.unknown} told the outcome is unknown, "
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
    with httpx.Client(base_url=url, timeout=90, follow_redirects=True) as source:
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
        elif UNKNOWN in sent.text:
            result.unknown += 1
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


# --- A small disk ---------------------------------------------------------------------------


class CannotMount(Exception):
    """No small tmpfs here (mounting one needs root)."""


@contextlib.contextmanager
def small_disk(path: Path, size_mib: int) -> Iterator[Path]:
    """A tmpfs of `size_mib` MiB mounted at `path` for the block's duration."""
    path.mkdir()
    if os.geteuid() != 0:
        raise CannotMount("mounting a small tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mib}m,mode=0700", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        raise CannotMount(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def free_bytes(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def fill(path: Path, name: str, leave: int) -> Path:
    """A file that takes all but `leave` bytes of the filesystem's free space."""
    filler = path / name
    size = max(0, free_bytes(path) - leave)
    fd = os.open(filler, os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        if size:
            os.posix_fallocate(fd, 0, size)
    finally:
        os.close(fd)
    return filler


def post_report(url: str, lang: str, text: str, file: bytes | None) -> httpx.Response:
    """One submission, as a browser sends it (an empty file part when no file was chosen)."""
    with httpx.Client(base_url=url, timeout=120, follow_redirects=True) as source:
        page = source.get(f"/submit/fraud?lang={lang}")
        files = [("files", ("evidence.bin", file, "application/octet-stream"))] if file else []
        files = files or [("files", ("", b"", "application/octet-stream"))]
        return source.post(
            f"/submit/fraud?lang={lang}",
            data={"form_token": support.token(page.text), "text": text},
            files=files,
        )


def stored_blobs(data_dir: Path) -> list[Path]:
    """Every file of the blob store that holds anything (empty pool files are not blobs)."""
    return [p for p in (data_dir / "blobs").rglob("*") if p.is_file() and p.stat().st_size > 0]


# --- An upload held mid-way -------------------------------------------------------------

BOUNDARY = "sealboxsweepdrill"
HELD_FILE = secrets.token_bytes(256 * 1024)


class HeldUpload(threading.Thread):
    """A submission whose first file goes through whole, then waits (mid-way through the text
    field) until `go` is set; `response` is the server's answer, if any."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.go = threading.Event()
        self.response: httpx.Response | None = None
        self.failure: Exception | None = None

    def body(self, token: str) -> Iterator[bytes]:
        part = f"--{BOUNDARY}\r\nContent-Disposition: form-data; name="
        yield f'{part}"form_token"\r\n\r\n{token}\r\n'.encode()
        yield f'{part}"files"; filename="ledger.bin"\r\n'.encode()
        yield b"Content-Type: application/octet-stream\r\n\r\n"
        yield HELD_FILE
        yield f'\r\n{part}"text"\r\n\r\nwhat I saw '.encode()
        self.go.wait(60)
        yield f"at the depot\r\n--{BOUNDARY}--\r\n".encode()

    def run(self) -> None:
        try:
            with httpx.Client(base_url=self.url, timeout=90, follow_redirects=True) as source:
                token = support.token(source.get("/submit/fraud").text)
                self.response = source.post(
                    "/submit/fraud",
                    content=self.body(token),
                    headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
                )
        except Exception as exc:  # the server was killed under it, in one drill
            self.failure = exc


def wait_for_blob(data_dir: Path) -> Path:
    """The held upload's first file, once it is whole in the blob store."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        whole = [p for p in stored_blobs(data_dir) if p.stat().st_size > len(HELD_FILE)]
        if whole:
            return whole[0]
        time.sleep(0.05)
    raise AssertionError("the first file never reached the blob store")
