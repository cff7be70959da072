"""A form whose Content-Length is past the submission limit is refused before its files are
read: a raw client that sends the headers alone gets the clear 413 page, in its language, within
seconds; a browser's typed text, which comes before the files, is given back."""

from __future__ import annotations

import socket
import time

import pytest
from sqlalchemy import func, select

from sealbox.locale import translations
from sealbox.reports.models import Report
from tests import support

MIB = 1024 * 1024


@pytest.fixture
def channel(services):
    support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    return "fraud"


def _answer_to_headers_alone(port: int, path: str, length: int, cookie: str = "") -> str:
    """Send a POST's headers, declaring `length` bytes of body, and none of the body: the
    answer must come all the same."""
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: multipart/form-data; boundary=drill",
        f"Content-Length: {length}",
    ]
    if cookie:
        head.append(f"Cookie: {cookie}")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        started, answer = time.monotonic(), b""
        while b"</html>" not in answer:
            chunk = sock.recv(65536)  # times out (fails) if the server waits for the body
            if not chunk:
                break
            answer += chunk
        assert time.monotonic() - started < 5
    return answer.decode("utf-8", "replace")


def test_a_report_declared_too_large_is_refused_before_its_body(services, channel, server):
    limit = services.settings.max_submission_bytes
    for lang, code in (("", "en"), ("?lang=ug", "ug"), ("?lang=zh-Hant", "zh_Hant")):
        answer = _answer_to_headers_alone(server, f"/submit/fraud{lang}", limit + 2 * MIB)
        assert answer.startswith("HTTP/1.1 413"), answer[:300]
        said = translations(code).gettext(
            "The files are larger than this site accepts in one go (%(mib)s MB). "
            "Send fewer or smaller files, then add the rest as a follow-up."
        )
        first_words = said.split("%(mib)s")[0]
        assert first_words in answer, answer[-3000:]
        assert 'name="form_token"' in answer, "the form comes back, ready to send again"
    with services.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 0


def test_the_typed_text_comes_back_and_the_files_are_not_read(services, channel, server):
    limit = services.settings.max_submission_bytes
    form = (
        '--drill\r\nContent-Disposition: form-data; name="form_token"\r\n\r\nx\r\n'
        '--drill\r\nContent-Disposition: form-data; name="text"\r\n\r\n'
        "Fuel sold at night\r\n"
        '--drill\r\nContent-Disposition: form-data; name="files"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    )
    head = [
        "POST /submit/fraud HTTP/1.1",
        f"Host: 127.0.0.1:{server}",
        "Content-Type: multipart/form-data; boundary=drill",
        f"Content-Length: {limit * 3}",
    ]
    with socket.create_connection(("127.0.0.1", server), timeout=10) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n" + form).encode() + b"x" * 65536)
        answer = b""
        while b"</html>" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    page = answer.decode()
    assert page.startswith("HTTP/1.1 413") and "Fuel sold at night</textarea>" in page


def test_a_report_inside_the_limit_is_read_as_usual(client, services, channel):
    # The declared size alone decides nothing inside the limit: an honest form goes through.
    sent = support.submit(client, "fraud", "fuel sold at night", [("ledger.txt", b"x" * MIB)])
    assert sent.status_code == 200 and len(support.passphrase_of(sent).split()) == 7


def test_a_follow_up_declared_too_large_is_refused_before_its_body(
    client, services, channel, server
):
    words = support.passphrase_of(support.submit(client, "fraud", "fuel sold at night"))
    support.source_login(client, words)
    cookie = f"sealbox_source={client.cookies['sealbox_source']}"
    limit = services.settings.max_submission_bytes
    answer = _answer_to_headers_alone(server, "/report/messages", limit * 4, cookie)
    assert answer.startswith("HTTP/1.1 413"), answer[:300]
    assert "larger than this site accepts" in answer
