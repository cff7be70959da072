"""Bad input on the source side: a clear page with a status code, nothing half-stored."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from sealbox.reports.models import Report
from tests import support


@pytest.fixture
def channel(services):
    support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    return "fraud"


def _reports(services) -> int:
    with services.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Report))


def test_empty_report_is_refused_with_a_message(client, services, channel):
    response = support.submit(client, channel, "   ")
    assert response.status_code == 422
    assert "The report is empty" in response.text
    assert _reports(services) == 0


def test_unknown_channel(client, channel):
    response = client.get("/submit/nowhere")
    assert response.status_code == 404
    assert "does not exist" in response.text
    json = client.get("/submit/nowhere", headers={"accept": "application/json"})
    assert json.json()["error"] == "unknown_channel"


def test_oversized_submission_keeps_the_text_and_stores_nothing(services, channel, tmp_path):
    from starlette.testclient import TestClient

    from sealbox.web.app import create_app

    services.settings = dataclasses.replace(services.settings, max_submission_bytes=1024 * 1024)
    with TestClient(create_app(services), base_url="http://sealbox.test") as client:
        response = support.submit(
            client, channel, "My careful account of events", [("big.bin", b"x" * (2 * 1024 * 1024))]
        )
    assert response.status_code == 413
    assert "larger than this site accepts" in response.text
    assert "My careful account of events" in response.text, "the text must be given back"
    assert _reports(services) == 0
    assert list(services.blobs.ids()) == []
    assert list(services.settings.tmp_dir.iterdir()) == []


def test_form_without_token_or_from_another_site_is_refused(client, channel):
    no_token = client.post("/submit/fraud", data={"text": "x"}, files=[("files", ("a", b"a"))])
    assert no_token.status_code == 403
    page = client.get("/submit/fraud")
    cross = client.post(
        "/submit/fraud",
        data={"form_token": support.token(page.text), "text": "x"},
        files=[("files", ("a", b"a"))],
        headers={"origin": "http://evil.example"},
    )
    assert cross.status_code == 403


def test_wrong_passphrase_gets_one_generic_message_at_the_same_cost(
    client, services, channel, monkeypatch
):
    from sealbox.crypto import kdf

    words = support.passphrase_of(support.submit(client, channel, "report"))
    runs: list[tuple] = []
    real = kdf.hash_secret_raw

    def counted(**kwargs):
        # Everything that sets the cost (and the salt), but not the secret itself.
        runs.append(tuple(sorted((k, v) for k, v in kwargs.items() if k != "secret")))
        return real(**kwargs)

    monkeypatch.setattr(kdf, "hash_secret_raw", counted)
    client.cookies.clear()
    right = support.source_login(client, words)
    right_runs, runs[:] = list(runs), []
    client.cookies.clear()
    assert right.status_code == 200
    wrong = support.source_login(client, "abacus " * 7)
    assert wrong.status_code == 401
    assert "did not open a report" in wrong.text
    # Both paths pay exactly one Argon2id run of the same cost: an unknown passphrase must not
    # answer early, nor a known one take a second derivation.
    assert len(right_runs) == 1
    assert runs == right_runs


def test_passphrase_guessing_is_throttled_globally(services, channel):
    from starlette.testclient import TestClient

    from sealbox.web.app import create_app

    services.settings = dataclasses.replace(
        services.settings, source_login_burst=3, source_login_per_second=0.001
    )
    with TestClient(create_app(services), base_url="http://sealbox.test") as client:
        statuses = [
            support.source_login(client, f"guess {i} a b c d e").status_code for i in range(4)
        ]
    assert statuses == [401, 401, 401, 429]


def test_typos_in_case_and_spacing_are_forgiven(client, channel):
    words = support.passphrase_of(support.submit(client, channel, "report"))
    sloppy = "  " + words.upper().replace(" ", "   ") + " "
    assert support.source_login(client, sloppy).status_code == 200


def test_expired_source_session_asks_for_the_passphrase_again(client, services, channel):
    words = support.passphrase_of(support.submit(client, channel, "report"))
    assert support.source_login(client, words).status_code == 200
    services.clock.advance(31 * 60)
    response = client.get("/report")
    assert response.status_code == 401
    assert "passphrase" in response.text


def test_tampered_source_cookie_is_refused(client, services, channel):
    words = support.passphrase_of(support.submit(client, channel, "report"))
    support.source_login(client, words)
    value = client.cookies.get("sealbox_source")
    client.cookies.set("sealbox_source", value[:-6] + "AAAAAA", domain="sealbox.test")
    assert client.get("/report").status_code == 401
