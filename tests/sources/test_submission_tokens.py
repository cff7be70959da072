"""A submission token works once, inside its time window. A refused form comes back with what
was typed and a fresh token, and nothing of it is stored."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from sealbox.reports.models import Attachment, Message, Report
from tests import support
from tests.e2e.test_chronology_drill import follow_up

TEXT = "The depot manager sells the fuel on weekends"
MIB = 1024 * 1024


@pytest.fixture
def channel(services):
    support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    return "fraud"


def _count(services, model) -> int:
    with services.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


def _post(client, token: str, text: str, files=()):
    parts = [("files", (n, c, "application/octet-stream")) for n, c in files]
    parts = parts or [("files", ("", b"", "application/octet-stream"))]
    return client.post("/submit/fraud", data={"form_token": token, "text": text}, files=parts)


def test_one_token_sends_one_report_however_often_it_is_replayed(client, services, channel):
    token = support.token(client.get("/submit/fraud").text)
    answers = [
        _post(client, token, f"{TEXT} #{n}", [(f"ledger{n}.bin", bytes([n]) * MIB)])
        for n in range(10)
    ]
    first, replays = answers[0], answers[1:]
    assert first.status_code == 200 and len(support.passphrase_of(first).split()) == 7
    for n, replay in enumerate(replays, start=1):
        assert replay.status_code == 409, replay.text
        assert "already sent once" in replay.text
        assert f"{TEXT} #{n}" in replay.text, "the typed text must come back"
        assert support.WORDS.findall(replay.text) == [], "no passphrase for a replay"
        fresh = support.token(replay.text)
        assert fresh != token
    assert (_count(services, Report), _count(services, Attachment)) == (1, 1)
    # The fresh token on the refusal page sends the report.
    again = _post(client, fresh, f"{TEXT} #10")
    assert again.status_code == 200, again.text
    assert _count(services, Report) == 2


def test_an_expired_token_is_refused_with_the_text_kept(client, services, channel):
    token = support.token(client.get("/submit/fraud").text)
    hours = services.settings.submission_token_hours
    services.clock.advance(hours * 3600 + 60)
    refused = _post(client, token, TEXT, [("photo.bin", b"p" * 5000)])
    assert refused.status_code == 403, refused.text
    assert "opened too long ago" in refused.text
    assert TEXT in refused.text
    assert _count(services, Report) == 0 and _count(services, Attachment) == 0
    sent = _post(client, support.token(refused.text), TEXT)
    assert sent.status_code == 200, sent.text


def test_a_token_inside_its_window_works(client, services, channel):
    token = support.token(client.get("/submit/fraud").text)
    services.clock.advance(services.settings.submission_token_hours * 3600 - 120)
    assert _post(client, token, TEXT).status_code == 200


def test_questionnaire_and_identity_fields_come_back_too(client, services, channel):
    from sealbox.channels.models import Channel

    support.add_user(services, "carla", "custodian")  # who holds identities
    with services.db.transaction() as session:
        session.scalars(select(Channel)).one().allow_identity = True
    token = support.token(client.get("/submit/fraud").text)
    data = {"form_token": token, "text": TEXT, "identity_name": "Ayşe Demir"}
    parts = [("files", ("", b"", "application/octet-stream"))]
    assert client.post("/submit/fraud", data=data, files=parts).status_code == 200
    replay = client.post("/submit/fraud", data=data, files=parts)
    assert replay.status_code == 409
    assert 'value="Ayşe Demir"' in replay.text


def test_a_forged_token_is_still_refused_outright(client, services, channel):
    token = support.token(client.get("/submit/fraud").text)
    issued, nonce, mac = token.split(".")
    for forged in (f"{issued}.{nonce}.{'0' * 64}", f"{int(issued) + 1}.{nonce}.{mac}", "ß.é.ü"):
        refused = _post(client, forged, TEXT)
        assert refused.status_code == 403, refused.text
        assert "out of date" in refused.text
    assert _count(services, Report) == 0


def test_a_follow_up_token_works_once(client, services, channel):
    words = support.passphrase_of(support.submit(client, "fraud", TEXT))
    assert support.source_login(client, words).status_code == 200
    page = client.get("/report")
    token = support.token(page.text, "/report/messages")
    parts = [("files", ("", b"", "application/octet-stream"))]
    data = {"form_token": token, "text": "One more thing"}
    first = client.post("/report/messages", data=data, files=parts)
    assert first.status_code == 200, first.text  # redirected to the report page
    replay = client.post("/report/messages", data=data, files=parts)
    assert replay.status_code == 409, replay.text
    assert "One more thing" in replay.text
    assert _count(services, Message) == 2
    follow_up(client, "And another")  # the report page hands out a fresh token each time
    assert _count(services, Message) == 3


def test_a_used_token_dates_nothing_finer_than_the_day(client, services, channel):
    token = support.token(client.get("/submit/fraud").text)
    assert _post(client, token, TEXT).status_code == 200
    with services.db.engine.connect() as connection:
        rows = connection.exec_driver_sql("select * from used_tokens").all()
    assert len(rows) == 2  # the form's token, and the passphrase page's (shown once)
    for key, until in rows:
        assert re.fullmatch(r"[0-9a-f]{64}", key) and token.split(".")[1] not in key
        assert len(str(until)) == 10  # a date: YYYY-MM-DD


def test_a_login_form_ages_on_the_instance_clock(client, services):
    """Form tokens are dated by the one clock, not the machine's: a day later (on that clock)
    the passphrase form is out of date; a fresh one works."""
    stale = support.token(client.get("/login").text)
    services.clock.advance(24 * 3600 + 1)
    refused = client.post("/login", data={"form_token": stale, "passphrase": "a b c d e f g"})
    assert refused.status_code == 403 and "out of date" in refused.text
    fresh = support.token(client.get("/login").text)
    answer = client.post("/login", data={"form_token": fresh, "passphrase": "a b c d e f g"})
    assert answer.status_code != 403
