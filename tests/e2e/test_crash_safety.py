"""A server killed with SIGKILL in the middle of a large upload leaves nothing behind that
matters: no report, no blob the app would show, no plaintext on disk."""

from __future__ import annotations

import os
import secrets
import signal

import httpx
import pytest

from tests import support
from tests.e2e import scan

CHUNK = 1024 * 1024


def test_kill_during_upload(instance):
    password, totp_secret = instance.add_handler("alice")
    instance.cli("channel", "add", "fraud", "--name", "Fraud", "--handler", "alice")
    instance.start()
    canary = f"CANARYCRASH{secrets.token_hex(8)}"
    line = (canary + "\n").encode()
    block = line * (CHUNK // len(line))
    boundary = "sealboxcrashtest"

    with httpx.Client(base_url=instance.url, follow_redirects=True) as source:
        token = support.token(source.get("/submit/fraud").text)

        def body():
            disposition = f"--{boundary}\r\nContent-Disposition: form-data; name="
            yield (
                f'{disposition}"form_token"\r\n\r\n{token}\r\n'
                f'{disposition}"text"\r\n\r\n{canary} text\r\n'
                f'{disposition}"files"; filename="big.txt"\r\n'
                "Content-Type: text/plain\r\n\r\n"
            ).encode()
            for sent in range(64):
                if sent == 24:
                    # 24 MiB are in: the server is deep inside sealing the stream.
                    os.kill(instance.process.pid, signal.SIGKILL)
                yield block

        with pytest.raises(httpx.TransportError):
            source.post(
                "/submit/fraud",
                content=body(),
                headers={"content-type": f"multipart/form-data; boundary={boundary}"},
                timeout=30,
            )
    instance.process.wait(10)

    leftovers = {
        str(p): p.read_bytes() for p in scan.files_under(instance.data_dir, instance.tmp_dir)
    }
    assert scan.find({"upload": canary}, leftovers) == [], "plaintext reached the disk"
    partials = [p for p in leftovers if p.endswith(".partial")]

    instance.start()  # a restart sweeps half-written blobs
    assert not list(instance.data_dir.joinpath("tmp").glob("*.partial")), partials
    handler, inbox = instance.staff_login("alice", password, totp_secret)
    handler.close()
    assert support.report_ids(inbox) == []

    # The instance still works after the crash.
    with httpx.Client(base_url=instance.url, follow_redirects=True) as source:
        sent = support.submit(source, "fraud", "after the crash")
        assert sent.status_code == 200
