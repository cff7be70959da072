"""Damaged storage and expired staff sessions: clear errors, never tracebacks or partial data."""

from __future__ import annotations

from sqlalchemy import select
from starlette.testclient import TestClient

from sealbox import crypto
from sealbox.crypto import Identity
from sealbox.reports.models import Message
from sealbox.web.app import create_app
from tests import support


def _report_with_file(services, client, handler_client, content=b"evidence " * 20000):
    alice = support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    support.submit(client, "fraud", "text", [("e.bin", content)])
    inbox = support.staff_login(handler_client, services, alice)
    [report_id] = support.report_ids(inbox.text)
    return report_id


def test_damaged_blob_gives_a_clear_error_not_bytes(services, client, other_client):
    report_id = _report_with_file(services, client, other_client)
    [link] = support.file_links(other_client.get(f"/staff/reports/{report_id}").text)
    [blob_id] = list(services.blobs.ids())
    path = services.blobs.path_of(blob_id)
    data = bytearray(path.read_bytes())
    data[len(data) // 2 :] = bytes(len(data) - len(data) // 2)  # zero the second half
    path.write_bytes(bytes(data))
    header_damage = bytearray(data)
    # The first chunk decrypts; the damage is met mid-stream and the transfer is cut short,
    # so the client can see the download is incomplete (it never matches Content-Length).
    with TestClient(
        create_app(services), base_url="http://sealbox.test", raise_server_exceptions=False
    ) as browser:
        browser.cookies = other_client.cookies
        response = browser.get(link)
    assert response.status_code in (200, 500)
    if response.status_code == 200:
        assert len(response.content) < int(response.headers["content-length"])
    header_damage[30:40] = b"X" * 10
    path.write_bytes(bytes(header_damage))
    response = other_client.get(link)
    assert response.status_code == 500
    assert "damaged" in response.text
    assert "Traceback" not in response.text


def test_missing_blob_is_reported_as_damage(services, client, other_client):
    report_id = _report_with_file(services, client, other_client)
    [link] = support.file_links(other_client.get(f"/staff/reports/{report_id}").text)
    services.blobs.delete(next(iter(services.blobs.ids())))
    response = other_client.get(link)
    assert response.status_code == 500
    assert "damaged" in response.text


def test_damaged_message_in_the_database(services, client, other_client):
    report_id = _report_with_file(services, client, other_client)
    with services.db.transaction() as session:
        message = session.scalar(select(Message).where(Message.report_id == report_id))
        message.body = crypto.seal(b"{}", Identity.generate().recipient)  # sealed to a stranger
    response = other_client.get(f"/staff/reports/{report_id}")
    assert response.status_code == 500
    assert "could not be decrypted" in response.text


def test_expired_staff_session(services, client):
    alice = support.add_user(services, "alice")
    assert support.staff_login(client, services, alice).status_code == 200
    assert client.get("/staff/").status_code == 200
    services.clock.advance(31 * 60)
    page = client.get("/staff/")
    assert page.status_code == 401
    assert "expired" in page.text
    assert 'name="password"' in page.text, "the login form is offered again"
    api = client.get("/staff/", headers={"accept": "application/json"})
    assert api.status_code == 401
    assert api.json()["error"] == "session_expired"
