"""Key derivations run on a bounded queue off the event loop: past it, a login is told the server
is busy (503, Retry-After) instead of piling up memory and stalling every page."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from starlette.testclient import TestClient

from sealbox.crypto import KdfParams
from sealbox.web.app import create_app
from tests import support

BUSY = "The server is busy checking other logins."


@pytest.fixture
def narrow(services):
    """One derivation at a time, none waiting; each costs a few Argon2id passes."""
    services.settings = dataclasses.replace(
        services.settings, kdf_threads=1, kdf_waiting=0, kdf=KdfParams(iterations=6)
    )
    from sealbox.kdf_queue import KdfQueue

    services.kdf = KdfQueue(services.settings.kdf, threads=1, waiting=0)
    with TestClient(create_app(services), base_url="http://sealbox.test") as client:
        yield client


def _at_once(count: int, send) -> list:
    """`send(n)` from `count` threads released together; their responses."""
    start = threading.Barrier(count)
    answers: list = [None] * count

    def one(n: int) -> None:
        start.wait(timeout=30)
        answers[n] = send(n)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def test_a_staff_login_flood_gets_busy_with_retry_after(services, narrow):
    page = narrow.get("/staff/login")
    token = support.token(page.text)

    def guess(n: int):
        form = {"csrf": token, "username": f"nobody{n}", "password": "x" * 12, "totp": "000000"}
        return narrow.post("/staff/login", data=form, headers={"accept-language": "zh-CN"})

    answers = _at_once(8, guess)
    statuses = sorted(answer.status_code for answer in answers)
    assert set(statuses) <= {401, 503}
    assert 401 in statuses and 503 in statuses
    busy = next(answer for answer in answers if answer.status_code == 503)
    assert int(busy.headers["retry-after"]) > 0
    # Translated, on the login page with the name kept.
    assert 'lang="zh-Hans"' in busy.text and "nobody" in busy.text
    assert BUSY not in busy.text


def test_a_passphrase_login_flood_gets_busy_with_retry_after(services, narrow):
    page = narrow.get("/login")
    token = support.token(page.text)

    def guess(n: int):
        form = {"form_token": token, "passphrase": f"guess {n} a b c d e"}
        return narrow.post("/login", data=form)

    answers = _at_once(8, guess)
    statuses = {answer.status_code for answer in answers}
    assert statuses == {401, 503}
    busy = next(answer for answer in answers if answer.status_code == 503)
    assert BUSY in busy.text and int(busy.headers["retry-after"]) > 0
