"""Many serving processes, one database and one blob store: `sealbox serve --workers N`, and
separate servers sharing the store (the same host, or other hosts on S3).

What must hold: a session made on one process works on any other (sessions live in the
database); a server starting (and sweeping leftovers of dead uploads) never takes an upload
another live server is in the middle of; the jobs run once, leased in the database.
"""

from __future__ import annotations

import hashlib
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests import support
from tests.live_server import Instance, StaffAccount

BOUNDARY = "sealboxworkersdrill"
MIB = 1024 * 1024
# 64 MiB that no cleaner can take (held until the source sends it): one random MiB, repeated
# with its index so no two MiB are alike.
BLOCK = bytes(range(256)) * 4096


def chunk(index: int) -> bytes:
    return index.to_bytes(4, "big") + BLOCK[4:]


BIG_SHA256 = hashlib.sha256(b"".join(chunk(i) for i in range(64))).hexdigest()


def twin(instance: Instance, root: Path) -> Instance:
    """A second server on the same data directory, database and settings (its own logs)."""
    root.mkdir()
    (root / "data").symlink_to(instance.data_dir)
    return Instance(root=root, database_url=instance.database_url, settings=instance.settings)


def scene(instance: Instance) -> StaffAccount:
    alice = instance.add_user("alice")
    instance.add_channel("fraud", "Fraud", handlers=["alice"])
    return alice


class ThrottledUpload(threading.Thread):
    """A 64 MiB file sent 1 MiB at a time; after `pause_after` MiB it waits until `go` is set."""

    def __init__(self, url: str, pause_after: int = 24) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.pause_after = pause_after
        self.paused = threading.Event()
        self.go = threading.Event()
        self.response: httpx.Response | None = None
        self.failure: Exception | None = None

    def body(self, token: str) -> Iterator[bytes]:
        part = f"--{BOUNDARY}\r\nContent-Disposition: form-data; name="
        yield f'{part}"form_token"\r\n\r\n{token}\r\n'.encode()
        yield f'{part}"text"\r\n\r\nthe ledgers, all of them\r\n'.encode()
        yield f'{part}"files"; filename="ledgers.bin"\r\n'.encode()
        yield b"Content-Type: application/octet-stream\r\n\r\n"
        for index in range(64):
            if index == self.pause_after:
                self.paused.set()
                self.go.wait(180)
            time.sleep(0.02)
            yield chunk(index)
        yield f"\r\n--{BOUNDARY}--\r\n".encode()

    def run(self) -> None:
        try:
            with httpx.Client(base_url=self.url, timeout=300, follow_redirects=True) as source:
                token = support.token(source.get("/submit/fraud").text)
                self.response = source.post(
                    "/submit/fraud",
                    content=self.body(token),
                    headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
                )
        except Exception as exc:
            self.failure = exc


def handler_reads(instance: Instance, alice: StaffAccount) -> list[bytes]:
    """Every file of the one report, as alice downloads it from `instance`."""
    handler = instance.staff_client(alice)
    try:
        inbox = handler.get("/staff/").text
        [report_id] = support.report_ids(inbox)
        page = handler.get(f"/staff/reports/{report_id}").text
        return [handler.get(link).content for link in support.file_links(page)]
    finally:
        handler.close()


def send_held(instance: Instance, passphrase: str) -> None:
    """The source logs in (on `instance`) and sends its held files to the handlers."""
    with httpx.Client(base_url=instance.url, timeout=60, follow_redirects=True) as source:
        page = support.source_login(source, passphrase)
        assert page.status_code == 200, page.text
        assert support.decide_held(source, page.text, "send") == 1


@pytest.mark.parametrize("store", ["filesystem", "s3"])
def test_an_upload_survives_the_restart_of_another_server(
    instance, backend, store, tmp_path, request
):
    """Server A takes a throttled 64 MiB upload; in the middle of it server B, on the same
    database and blob store, restarts (and sweeps at its start). The upload completes, and the
    handler reads the file whole from B."""
    if backend == "sqlite":
        pytest.skip("servers sharing a store are a PostgreSQL set-up")
    if store == "s3":
        instance.settings.update(request.getfixturevalue("s3").settings())
    alice = scene(instance)
    first = instance
    second = twin(instance, tmp_path / "second")
    second.start()
    upload = ThrottledUpload(first.url)
    upload.start()
    try:
        assert upload.paused.wait(120), upload.failure
        second.stop()
        second.start()  # its start-up sweeps run while A's upload is in flight
        upload.go.set()
        upload.join(300)
        assert upload.failure is None, upload.failure
        assert upload.response is not None and upload.response.status_code == 200
        send_held(second, support.passphrase_of(upload.response))
        [content] = handler_reads(second, alice)
        assert hashlib.sha256(content).hexdigest() == BIG_SHA256
    finally:
        upload.go.set()
        second.stop()


def test_a_session_made_on_one_server_works_on_another(instance, tmp_path):
    """Staff and source sessions are rows in the shared database: a cookie from server A opens
    the same pages on server B, and logging out on B ends it on A too."""
    alice = scene(instance)
    second = twin(instance, tmp_path / "second")
    second.start()
    try:
        with httpx.Client(base_url=instance.url, timeout=60, follow_redirects=True) as source:
            token = support.token(source.get("/submit/fraud").text)
            sent = source.post(
                "/submit/fraud",
                data={"form_token": token, "text": "the depot"},
                files={"files": ("", b"", "application/octet-stream")},
            )
            passphrase = support.passphrase_of(sent)
        with httpx.Client(base_url=instance.url, timeout=60, follow_redirects=True) as source:
            assert support.source_login(source, passphrase).status_code == 200
            cookies = source.cookies
        with httpx.Client(base_url=second.url, cookies=cookies, timeout=60) as on_b:
            assert "the depot" in on_b.get("/report").text

        handler = instance.staff_client(alice)
        with httpx.Client(base_url=second.url, cookies=handler.cookies, timeout=60) as on_b:
            inbox = on_b.get("/staff/")
            assert inbox.status_code == 200 and support.report_ids(inbox.text)
            page = on_b.get(f"/staff/reports/{support.report_ids(inbox.text)[0]}").text
            assert "the depot" in page
            logout = on_b.post("/staff/logout", data={"csrf": support.token(page)})
            assert logout.status_code in (200, 303)
        assert handler.get("/staff/").status_code in (303, 401, 403)
        handler.close()
    finally:
        second.stop()


def test_serve_with_workers_runs_several_processes_and_each_serves(instance):
    """`serve --workers 2`: two worker processes under one, both answering on the one port; a
    submission made through it reaches the handler whole."""
    instance.workers = 2
    alice = scene(instance)
    workers = subprocess.run(
        ["pgrep", "-f", "-P", str(instance.process.pid), "multiprocessing.spawn"],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert len(workers) == 2, workers
    with httpx.Client(base_url=instance.url, timeout=60, follow_redirects=True) as source:
        token = support.token(source.get("/submit/fraud").text)
        sent = source.post(
            "/submit/fraud",
            data={"form_token": token, "text": "through the workers"},
            files={"files": ("note.txt", b"ledger page 4", "text/plain")},
        )
        assert sent.status_code == 200, sent.text
    assert handler_reads(instance, alice) == [b"ledger page 4"]
