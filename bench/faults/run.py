"""Faults against a live server: this tree's figures beside a reference commit's (old main),
measured in the same run, on the same machine, by the same drills.

    python3 bench/faults/run.py [--reference eed2eb5] [--submissions 160] [--only NAME ...]

Each drill runs a real `sealbox serve` on loopback, once on this tree's code and once on the
reference's (exported with `git archive`), with the drills of tests/e2e/fault_drills.py:

- hostile: hand-made hostile requests (a non-ASCII form token on every anonymous form, NUL in a
  report id, non-ASCII digits in a page number and a TOTP code) on SQLite and PostgreSQL: how
  many got a 500, how many lost their keep-alive connection, how many unexpected errors the
  server logged;
- disk: a 60 MB upload (and three 8 MB ones, in the other languages) onto a full 64 MiB tmpfs
  (root only): the status, whether the typed text came back, reports and blob files left;
- database: N submissions from 4 sources on PostgreSQL while a thread terminates every backend
  of the app four times a second: acknowledgements beside new rows, clear errors with the text,
  500s, dropped connections, unexpected errors logged;
- orphans: an upload killed (SIGKILL) after its first file is on disk, then a restart: blob
  files left; an upload in flight while a second server starts on the same store: kept or not.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import pyotp  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from tests import support  # noqa: E402
from tests.e2e import fault_drills  # noqa: E402
from tests.live_server import Instance  # noqa: E402

PG_URL = os.environ.get("SEALBOX_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
MIB = 1024 * 1024


class Schema:
    """A PostgreSQL schema of its own for one instance, dropped afterwards."""

    def __init__(self, app_name: str = "") -> None:
        self.name = "bench_" + secrets.token_hex(5)
        self.admin = create_engine(PG_URL)
        with self.admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {self.name}"))
        suffix = f"&application_name={app_name}" if app_name else ""
        self.url = f"{PG_URL}?options=-csearch_path%3D{self.name}{suffix}"

    def drop(self) -> None:
        with self.admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {self.name} CASCADE"))
        self.admin.dispose()


def instance(root: Path, code: Path, database_url: str = "") -> Instance:
    root.mkdir(parents=True, exist_ok=True)
    inst = Instance(root=root, database_url=database_url, code=code)
    inst.cli("init")
    return inst


def with_handler(inst: Instance) -> tuple[str, str]:
    credentials = inst.add_handler("alice")
    inst.cli("channel", "add", "fraud", "--name", "Fraud", "--handler", "alice")
    inst.start()
    return credentials


# --- hostile fields ----------------------------------------------------------------------


def raw(port: int, request: bytes) -> tuple[int, bool]:
    """(status, connection kept) for one request on a fresh keep-alive connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request)
        status = read_answer(connection)
        try:
            connection.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            return status, read_answer(connection) == 200
        except (ConnectionError, OSError, ValueError):
            return status, False


def read_answer(connection: socket.socket) -> int:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        body += chunk
    return int(lines[0].split()[1])


def form_post(path: str, fields: dict[str, str], cookie: str = "") -> bytes:
    from urllib.parse import urlencode

    body = urlencode(fields, encoding="utf-8").encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
    )
    if cookie:
        head += f"Cookie: {cookie}\r\n"
    return (head + "\r\n").encode() + body


def multipart_post(path: str, token: str) -> bytes:
    boundary = "hostilebench"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="form_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\nmy account\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def get(path: str, cookie: str = "") -> bytes:
    extra = f"Cookie: {cookie}\r\n" if cookie else ""
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n".encode()


def staff_cookie(inst: Instance, username: str, password: str, secret: str) -> str:
    """A logged-in staff session's cookie (the next step's code: enrolment used this one's)."""
    with httpx.Client(base_url=inst.url, follow_redirects=True) as browser:
        token = support.token(browser.get("/staff/login").text)
        code = pyotp.TOTP(secret).at(time.time() + 30)
        landed = browser.post(
            "/staff/login",
            data={"csrf": token, "username": username, "password": password, "totp": code},
        )
        assert landed.status_code == 200, landed.text[:300]
        return "; ".join(f"{k}={v}" for k, v in browser.cookies.items())


def hostile(code: Path, root: Path, backend: str) -> str:
    schema = Schema() if backend == "postgresql" else None
    inst = instance(root, code, schema.url if schema else "")
    try:
        password, secret = with_handler(inst)
        port = inst.port
        issued = str(int(time.time()))
        forged = f"{issued}.{'é' * 64}"
        cookie = staff_cookie(inst, "alice", password, secret)
        staff_csrf = support.token(httpx.get(inst.url + "/staff/login").text)
        requests = {
            "login, form token with é": form_post("/login", {"form_token": forged}),
            "submit, form token with é": multipart_post("/submit/fraud", forged),
            "staff login, csrf with é": form_post("/staff/login", {"csrf": forged}),
            "logout, form token with é": form_post("/logout", {"form_token": forged}),
            "staff login, TOTP in Arabic-Indic digits": form_post(
                "/staff/login",
                {
                    "csrf": staff_csrf,
                    "username": "alice",
                    "password": password,
                    "totp": "١٢٣٤٥٦",
                },
            ),
            "inbox, page=²": get("/staff/?page=%C2%B2", cookie),
            "report id with NUL": get("/staff/reports/%00", cookie),
            "channel filter with NUL": get("/staff/?channel=%00", cookie),
        }
        results = {name: raw(port, request) for name, request in requests.items()}
        errors = sum(1 for status, _ in results.values() if status >= 500)
        dropped = sum(1 for _, kept in results.values() if not kept)
        logged = fault_drills.unhandled_lines(inst)
        detail = ", ".join(f"{name}: {status}" for name, (status, _) in results.items())
        return (
            f"{errors}/{len(results)} answered 500, {dropped} connections dropped, "
            f"{logged} unexpected errors logged [{detail}]"
        )
    finally:
        inst.stop()
        if schema:
            schema.drop()


# --- disk full ----------------------------------------------------------------------------


def disk(code: Path, root: Path, backend: str) -> str:
    schema = Schema() if backend == "postgresql" else None
    root.mkdir(parents=True, exist_ok=True)
    try:
        with fault_drills.small_disk(root / "disk", 64) as mounted:
            inst = instance(mounted / "instance", code, schema.url if schema else "")
            try:
                with_handler(inst)
                filler = fault_drills.fill(mounted, "filler", leave=3 * MIB)
                canary = f"DISKBENCH{secrets.token_hex(5)} my careful account"
                outcomes = []
                for lang, size in (("en", 60), ("zh-Hans", 8), ("zh-Hant", 8), ("ug", 8)):
                    try:
                        sent = fault_drills.post_report(
                            inst.url, lang, canary, secrets.token_bytes(size * MIB)
                        )
                        kept = "text kept" if canary in sent.text else "text lost"
                        outcomes.append(f"{lang} {size} MB: {sent.status_code} {kept}")
                    except httpx.TransportError as exc:
                        outcomes.append(f"{lang} {size} MB: {type(exc).__name__}")
                rows = fault_drills.reports(inst)
                blobs = len(fault_drills.stored_blobs(inst.data_dir))
                logged = fault_drills.unhandled_lines(inst)
                filler.unlink()
                return (
                    f"{'; '.join(outcomes)}; {rows} reports and {blobs} blob files left, "
                    f"{logged} unexpected errors logged"
                )
            finally:
                inst.stop()
    except fault_drills.CannotMount as exc:
        return f"skipped: {exc}"
    finally:
        if schema:
            schema.drop()


# --- database faults --------------------------------------------------------------------


def database(code: Path, root: Path, submissions: int) -> str:
    app_name = "bench_" + secrets.token_hex(4)
    schema = Schema(app_name)
    inst = instance(root, code, schema.url)
    try:
        with_handler(inst)
        killer = fault_drills.PgKiller(PG_URL, app_name, every=0.25)
        result = fault_drills.run_submissions(inst, killer, submissions, 4)
        logged = fault_drills.unhandled_lines(inst)
        return f"{result.summary()}; {logged} unexpected errors logged"
    finally:
        inst.stop()
        schema.drop()


# --- orphans ------------------------------------------------------------------------------


def orphans(code: Path, root: Path) -> str:
    inst = instance(root / "killed", code)
    try:
        with_handler(inst)
        upload = fault_drills.HeldUpload(inst.url)
        upload.start()
        fault_drills.wait_for_blob(inst.data_dir)
        os.kill(inst.process.pid, signal.SIGKILL)
        inst.process.wait(10)
        upload.go.set()
        upload.join(30)
        inst.start()
        left = len(fault_drills.stored_blobs(inst.data_dir))
    finally:
        inst.stop()

    first = instance(root / "shared", code)
    second_root = root / "second"
    second_root.mkdir()
    (second_root / "data").symlink_to(first.data_dir)
    second = Instance(root=second_root, database_url="", code=code)
    try:
        with_handler(first)
        upload = fault_drills.HeldUpload(first.url)
        upload.start()
        held = fault_drills.wait_for_blob(first.data_dir)
        second.start()
        kept = held.exists() and held.stat().st_size > len(fault_drills.HELD_FILE)
        upload.go.set()
        upload.join(60)
        status = upload.response.status_code if upload.response is not None else "none"
    finally:
        upload.go.set()
        second.stop()
        first.stop()
    return (
        f"after a kill and a restart, {left} orphan blob file(s) left; an upload in flight "
        f"while a second server starts: {'kept' if kept else 'SWEPT'}, answered {status}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", default="eed2eb5", help="commit to compare with")
    parser.add_argument("--submissions", type=int, default=160)
    parser.add_argument(
        "--only", nargs="*", default=["hostile", "disk", "database", "orphans"], help="drills"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sealbox-faults-") as scratch:
        reference = Path(scratch) / "reference"
        reference.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.reference], capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(reference)], input=archive.stdout, check=True)
        trees = {f"old main ({args.reference})": reference, "this tree": ROOT}
        for drill in args.only:
            print(f"== {drill}", flush=True)
            for number, (label, code) in enumerate(trees.items()):
                where = Path(scratch) / f"{drill}-{number}"
                if drill == "hostile":
                    for backend in ("sqlite", "postgresql"):
                        figure = hostile(code, where / backend, backend)
                        print(f"  {label:24} {backend:10} {figure}", flush=True)
                elif drill == "disk":
                    for backend in ("sqlite", "postgresql"):
                        figure = disk(code, where / backend, backend)
                        print(f"  {label:24} {backend:10} {figure}", flush=True)
                elif drill == "database":
                    figure = database(code, where, args.submissions)
                    print(f"  {label:24} postgresql {figure}", flush=True)
                elif drill == "orphans":
                    print(f"  {label:24} sqlite     {orphans(code, where)}", flush=True)


if __name__ == "__main__":
    main()
