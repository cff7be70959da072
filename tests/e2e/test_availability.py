"""Availability drills against a live `sealbox serve`: slow uploads, big or slow headers, client
disconnects, and all of it at once with a login flood. Loopback only; every loop is bounded in
count and time (see siege.py); the bounds asserted are generous (figures: bench/availability).
"""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from tests.e2e.siege import Probe, Siege, p95

# Load drills: scripts/test runs them after the rest, one at a time.
pytestmark = pytest.mark.exclusive
MIB = 1024 * 1024


def _serve(instance, **settings) -> None:
    """A channel with a handler, on a server started with `settings`."""
    instance.settings.update({name: str(value) for name, value in settings.items()})
    instance.add_handler("hana")
    instance.cli("channel", "add", "tips", "--name", "Tips", "--handler", "hana")
    instance.stop()  # enrolment started it with the defaults
    instance.start()


def _answer(sock: socket.socket, seconds: float) -> bytes:
    """What the server sends within `seconds`, up to its close (b"" if it closed without a
    word, b"(nothing)" if it said nothing and kept the connection open)."""
    deadline = time.monotonic() + seconds
    got = bytearray()
    while len(got) < 1 * MIB:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        except OSError:
            return bytes(got)
        if not chunk:
            return bytes(got)
        got += chunk
        if got.startswith(b"HTTP/1.1 408"):
            break
    return bytes(got) or b"(nothing)"


def _head(instance, *lines: str) -> bytes:
    return ("\r\n".join([f"Host: 127.0.0.1:{instance.port}", *lines]) + "\r\n\r\n").encode()


def _slow_upload(instance, first: bytes = b"x") -> socket.socket:
    """A submission whose body starts, then stalls."""
    sock = socket.create_connection(("127.0.0.1", instance.port), timeout=10)
    boundary = "drill"
    sock.sendall(
        b"POST /submit/tips HTTP/1.1\r\n"
        + _head(
            instance,
            f"Content-Type: multipart/form-data; boundary={boundary}",
            f"Content-Length: {10 * MIB}",
        )
        + f'--{boundary}\r\nContent-Disposition: form-data; name="form_token"\r\n\r\n'.encode()
        + first
    )
    return sock


def test_slow_uploads_leave_pages_answering_and_are_capped_and_cut(instance):
    _serve(instance, max_uploads=4, body_idle_seconds=4, body_min_bytes_per_second=512)
    slow = [_slow_upload(instance) for _ in range(45)]
    try:
        time.sleep(1)
        # More than the old 40-thread pool: the pages still answer.
        probe = Probe()
        for _ in range(5):
            probe.load(instance.url, "/", timeout=10)
            probe.load(instance.url, "/login", timeout=10)
        assert not probe.failures, probe.failures
        assert max(probe.samples["/"] + probe.samples["/login"]) < 5
        # All but the first four were told at once that uploads are busy, with Retry-After.
        answers = [_answer(sock, 10) for sock in slow]
        busy = [a for a in answers if a.startswith(b"HTTP/1.1 503")]
        assert len(busy) >= 41, answers[:3]
        assert b"retry-after: 30" in busy[0].lower()
        assert b"Many people are sending files right now" in busy[0]
        # The four that got a thread were cut off once their body stalled: 408, closed.
        cut = [a for a in answers if a.startswith(b"HTTP/1.1 408")]
        assert len(cut) + len(busy) == 45, answers
        assert all(b"connection: close" in a.lower() for a in cut + busy)
    finally:
        for sock in slow:
            sock.close()


def test_a_report_sent_while_uploads_are_busy_comes_back_with_its_text(instance):
    _serve(instance, max_uploads=1, body_idle_seconds=20)
    holder = _slow_upload(instance)  # takes the only upload thread
    try:
        time.sleep(1)
        with httpx.Client(base_url=instance.url, timeout=30) as browser:
            form = browser.get("/submit/tips?lang=ug")
            token = form.text.split('name="form_token" value="', 1)[1].split('"', 1)[0]
            sent = browser.post(
                "/submit/tips?lang=ug",
                data={"form_token": token, "text": "what I saw on the night shift"},
                files=[("files", ("note.txt", b"a file that waits", "text/plain"))],
            )
        assert sent.status_code == 503 and sent.headers["retry-after"] == "30"
        assert "what I saw on the night shift" in sent.text
        assert 'lang="ug"' in sent.text and "Many people are sending files" not in sent.text
        assert sent.headers.get("connection") != "close"  # the body was read to its end
    finally:
        holder.close()


def test_a_body_trickling_below_the_minimum_rate_is_cut(instance):
    _serve(instance, body_idle_seconds=2, body_min_bytes_per_second=512)
    sock = _slow_upload(instance)
    started = time.monotonic()
    try:
        answer = b""
        for _ in range(40):  # a byte every half second: never idle, far below 512 B/s
            sock.sendall(b"y")
            answer = _answer(sock, 0.5)
            if answer != b"(nothing)":
                break
        assert answer.startswith(b"HTTP/1.1 408"), answer
        assert time.monotonic() - started < 10
    finally:
        sock.close()


def test_headers_too_big_or_too_many_are_refused(instance):
    _serve(instance)
    with socket.create_connection(("127.0.0.1", instance.port), timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\n" + _head(instance, "X-Big: " + "a" * (1 * MIB)))
        answer = _answer(sock, 10)
    assert answer.startswith(b"HTTP/1.1 431"), answer[:100]
    many = [f"X-N{n}: {n}" for n in range(1000)]
    with socket.create_connection(("127.0.0.1", instance.port), timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\n" + _head(instance, *many))
        answer = _answer(sock, 10)
    assert answer.startswith(b"HTTP/1.1 431"), answer[:100]
    assert httpx.get(instance.url + "/", timeout=10).status_code == 200


def test_slow_headers_are_cut(instance):
    _serve(instance, header_timeout_seconds=2)
    with socket.create_connection(("127.0.0.1", instance.port), timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        started, answer = time.monotonic(), b"(nothing)"
        for _ in range(30):  # a byte every half second, for at most 15 s
            try:
                sock.sendall(b"a")
            except OSError:
                answer = b""
                break
            answer = _answer(sock, 0.5)
            if answer != b"(nothing)":
                break
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert time.monotonic() - started < 8


def test_client_disconnects_log_at_most_a_quiet_line(instance):
    _serve(instance)
    log = instance.logs[-1]
    before = log.read_bytes()
    for _ in range(30):
        sock = _slow_upload(instance, first=b"some text")
        time.sleep(0.05)
        sock.close()
    time.sleep(1)
    assert httpx.get(instance.url + "/", timeout=10).status_code == 200
    written = log.read_bytes()[len(before) :].decode("utf-8", "replace")
    assert "Traceback" not in written and "ERROR" not in written, written[:2000]
    assert written.count("\n") <= 2, written


def test_drill_slowloris_and_login_flood_keep_pages_up_and_memory_bounded(instance):
    """100 slow uploads, 50 slow-header connections and 20 login floods at once."""
    _serve(instance)
    probe = Probe()
    with Siege(instance.port, "/submit/tips", seconds=60) as siege:
        time.sleep(4)  # warm-up: every slow connection open, the floods running
        probe.run(instance.url, ("/", "/login"), seconds=20)
        _, peak_kib = instance.memory_kib()
    print(probe.summary("/"), probe.summary("/login"), siege.answers, sep="\n")
    assert not probe.failures, probe.failures
    # The target is 1 s (bench/availability measures it); on this shared machine the suite
    # asserts a generous bound. Old main timed out here (10 s) on every load.
    assert p95(probe.samples["/"]) < 3.0, probe.summary("/")
    assert p95(probe.samples["/login"]) < 3.0, probe.summary("/login")
    # Argon2id derivations are bounded (64 MiB each, about one per core), uploads too.
    assert peak_kib < 800 * 1024, peak_kib
    # The floods were answered (401, or 503 when the queue was full), never with an error.
    assert set(siege.answers["login"]) <= {"401", "503"}, siege.answers["login"]
