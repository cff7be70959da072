"""A report is sent by POST and its passphrase shown by the GET after a redirect: reloading the
passphrase page, or going Back and Forward, never sends the report again. The passphrase goes
in no URL, no log and no cache, and is shown once."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from sealbox.reports.models import Report
from tests import support

TEXT = "The depot manager sells the fuel on weekends"


@pytest.fixture
def channel(services):
    support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    return "fraud"


def _reports(services) -> int:
    with services.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Report))


def _post(client, lang: str = ""):
    page = client.get(f"/submit/fraud{lang}")
    data = {"form_token": support.token(page.text), "text": TEXT}
    parts = [("files", ("ledger.txt", b"fuel 4711", "text/plain"))]
    return client.post(f"/submit/fraud{lang}", data=data, files=parts, follow_redirects=False)


def test_the_report_is_answered_with_a_redirect_that_carries_no_passphrase(
    client, services, channel, caplog
):
    caplog.set_level(logging.DEBUG)
    answer = _post(client, "?lang=ug")
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/sent?lang=ug"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("sealbox_sent=")
    for attribute in ("HttpOnly", "Path=/sent", "SameSite=strict"):
        assert attribute.lower() in cookie.lower()
    shown = client.get(answer.headers["location"])
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    words = support.passphrase_of(shown)
    assert not any(word in cookie for word in words.split()), "the cookie is sealed"
    assert words.split()[0] not in caplog.text
    assert (
        "sealbox_sent" in shown.headers["set-cookie"] and "Max-Age=0" in shown.headers["set-cookie"]
    ), "the page clears its receipt"
    assert not client.cookies.get("sealbox_sent")
    assert support.source_login(client, words).status_code == 200
    assert _reports(services) == 1


def test_a_reload_shows_the_passphrase_no_more_and_sends_nothing(client, services, channel):
    sent = _post(client)
    receipt = sent.cookies["sealbox_sent"]
    first = client.get("/sent")
    assert first.status_code == 200
    words = support.passphrase_of(first)
    reload = client.get("/sent")
    client.cookies.set("sealbox_sent", receipt, path="/sent")
    for again in (reload, client.get("/sent")):
        # The reload, and even the same receipt replayed: the passphrase was shown once.
        assert again.status_code == 410, again.text
        assert "shown only once" in again.text
        assert words.split()[0] not in again.text
        assert 'name="text"' not in again.text, "nothing offers to send the report again"
    assert _reports(services) == 1


def test_a_forged_or_stale_receipt_shows_nothing(client, services, channel):
    assert client.get("/sent").status_code == 410  # no receipt at all
    receipt = _post(client).cookies["sealbox_sent"]
    client.cookies.clear()
    for forged in (receipt[:-8] + "AAAAAAAA", "not-base64!", receipt[:40]):
        client.cookies.set("sealbox_sent", forged, path="/sent")
        assert client.get("/sent").status_code == 410
    services.clock.advance(services.settings.submission_token_hours * 3600 + 60)
    client.cookies.set("sealbox_sent", receipt, path="/sent")
    stale = client.get("/sent")
    assert stale.status_code == 410 and "shown only once" in stale.text


def test_the_passphrase_page_is_in_the_language_of_the_form(client, services, channel):
    _post(client, "?lang=zh-Hant")
    page = client.get("/sent?lang=zh-Hant")
    assert page.status_code == 200
    assert '<html lang="zh-Hant"' in page.text
    assert len(support.passphrase_of(page).split()) == 7


def test_the_forms_ask_the_browser_not_to_keep_what_was_typed(client, services, channel):
    form = client.get("/submit/fraud")
    assert 'enctype="multipart/form-data" autocomplete="off"' in form.text
    assert form.headers["cache-control"] == "no-store"
