"""An unexpected error is answered once: one clear page, one log line, and the keep-alive
connection stays open for the next request. Also the attack a web scanner found: a form token
with a non-ASCII character is refused (403), not a 500."""

from __future__ import annotations

import logging
import socket

import pytest

from sealbox.channels import channel_settings
from tests import support


def _get(connection: socket.socket, path: str) -> tuple[int, bytes]:
    """One HTTP/1.1 request on an open connection; (status, body)."""
    connection.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the answer")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    length = int(headers["content-length"])
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            raise ConnectionError("closed in the middle of the answer")
        body += chunk
    return int(lines[0].split()[1]), body


def test_an_unexpected_error_is_answered_once_and_keeps_the_connection(server, monkeypatch, caplog):
    detail = "SECRET" + "DETAIL from deep inside"  # not in the stack's source lines

    def broken(*args, **kwargs):
        raise RuntimeError(detail)

    monkeypatch.setattr(channel_settings, "open_channels", broken)
    caplog.set_level(logging.INFO)
    with socket.create_connection(("127.0.0.1", server), timeout=10) as connection:
        status, body = _get(connection, "/")
        assert status == 500
        assert b"Something went wrong on our side" in body
        # The same connection serves the next request.
        status, body = _get(connection, "/login")
        assert status == 200, body[:200]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage()[:80] for r in errors]
    assert "RuntimeError" in errors[0].getMessage()
    assert "SECRETDETAIL" not in caplog.text


@pytest.fixture
def channel(services):
    support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    return "fraud"


@pytest.mark.parametrize("mac", ["é" * 64, "é", "٣" * 64, "\x00"])
def test_a_non_ascii_form_token_is_refused_everywhere(client, services, channel, mac):
    issued = support.token(client.get("/login").text).partition(".")[0]
    token = f"{issued}.{mac}"
    login = client.post("/login", data={"form_token": token, "passphrase": "x"})
    submit = client.post(
        "/submit/fraud",
        data={"form_token": token, "text": "my typed account"},
        files=[("files", ("", b"", "application/octet-stream"))],
    )
    staff_login = client.post(
        "/staff/login", data={"csrf": token, "username": "alice", "password": "x", "totp": "1"}
    )
    for response in (login, submit, staff_login):
        assert response.status_code == 403, response.text
        assert "This form is out of date" in response.text
    alice = support.add_user(services, "bob", "admin")
    assert support.staff_login(client, services, alice).status_code == 200
    staff_form = client.post("/staff/admin/users", data={"csrf": token, "username": "eve"})
    assert staff_form.status_code == 403
