"""Auditors read, filter, verify and download the log on the web; no one else can; the log
never holds what a source wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import support
from tests.i18n.test_error_messages import english_in_errors

SECRET = "Invoices signed by the mayor's cousin"


@pytest.fixture
def auditor(services, client):
    account = support.add_user(services, "audrey", "auditor")
    assert support.staff_login(client, services, account).status_code == 200
    return account


def test_the_auditor_sees_and_filters_staff_actions(services, client, other_client, auditor):
    alice = support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    support.submit(other_client, "fraud", SECRET)
    other_client.cookies.clear()
    inbox = support.staff_login(other_client, services, alice)
    [report_id] = support.report_ids(inbox.text)
    other_client.get(f"/staff/reports/{report_id}")
    bad = support.Account("alice", "wrong password!", alice.totp_secret, "handler")
    support.staff_login(other_client, services, bad)

    page = client.get("/staff/audit")
    assert page.status_code == 200
    for action in ("login", "report_viewed", "login_failed"):
        assert f"<code>{action}</code>" in page.text
    assert f"report:{report_id}" in page.text

    only_views = client.get("/staff/audit", params={"action": "report_viewed"})
    assert "<code>login</code>" not in only_views.text
    assert f"report:{report_id}" in only_views.text
    by_target = client.get("/staff/audit", params={"target": f"report:{report_id[:6]}"})
    assert "<code>report_viewed</code>" in by_target.text
    assert "<code>login</code>" not in by_target.text
    by_actor = client.get("/staff/audit", params={"actor": "audrey"})
    assert "<code>report_viewed</code>" not in by_actor.text
    today = services.clock.today()
    assert (
        "<code>login</code>" in client.get("/staff/audit", params={"since": today.isoformat()}).text
    )
    assert "No entries match." in client.get("/staff/audit", params={"until": "2001-01-01"}).text


def test_a_bad_date_filter_gets_a_clear_answer(client, auditor):
    answer = client.get("/staff/audit", params={"since": "yesterday", "actor": "audrey"})
    assert answer.status_code == 400
    assert "must look like 2025-01-31" in answer.text
    # The log page itself, its filters as they were typed, not an error page.
    assert 'id="since" name="since" type="date" value="yesterday"' in answer.text
    assert 'value="audrey"' in answer.text and "<h1>Error" not in answer.text
    chinese = client.get("/staff/audit", params={"until": "31/01/2025", "lang": "zh-Hant"})
    assert chinese.status_code == 400 and "must look like" not in chinese.text


def test_verification_and_download_on_the_web(services, client, auditor):
    verdict = client.get("/staff/audit/verify")
    assert "The chain is intact" in verdict.text
    download = client.get("/staff/audit/export")
    assert download.headers["content-type"].startswith("application/x-ndjson")
    entries = [json.loads(line) for line in download.text.splitlines()]
    assert [e["action"] for e in entries][-2:] == ["audit_verified", "audit_exported"]
    # Tampering shows on the page too.
    from sqlalchemy import text

    with services.db.engine.begin() as connection:
        connection.execute(text("update audit_log set actor = 'x' where seq = 1"))
    assert "The chain is broken at entry 1" in client.get("/staff/audit/verify").text


@pytest.mark.parametrize("lang", ["ug", "zh-Hant"])
def test_a_forged_server_anchor_is_named_in_the_page_language(services, client, auditor, lang):
    """A server anchor someone altered is refused in the auditor's language, with its day and
    entry filled in: no English sentence on a Uyghur or Chinese page."""
    assert client.get("/staff/audit/anchor").status_code == 200
    path = Path(services.settings.audit_anchor_path)
    forged = json.loads(path.read_text())
    forged["seq"] += 1
    path.write_text(json.dumps(forged))

    page = client.get("/staff/audit/verify", params={"lang": lang})
    assert page.status_code == 200
    assert f'lang="{lang}"' in page.text
    assert forged["signed_at"][:10] in page.text
    assert english_in_errors(page.text, (forged["signed_at"][:10],)) == []
    assert "The chain is intact" not in page.text


@pytest.mark.parametrize("role", ["handler", "admin", "custodian"])
def test_other_roles_cannot_read_the_log(services, client, role):
    account = support.add_user(services, "someone", role)
    support.staff_login(client, services, account)
    for path in ("/staff/audit", "/staff/audit/verify", "/staff/audit/export"):
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert "audit_" not in answer.text


def test_without_a_session_the_log_is_not_shown(client):
    for path in ("/staff/audit", "/staff/audit/export"):
        assert client.get(path).status_code == 401


def test_the_log_holds_no_content_filename_or_passphrase(services, client, other_client, auditor):
    alice = support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    sent = support.submit(other_client, "fraud", SECRET, [("cousin-contract.pdf", b"%PDF-1.4 x")])
    words = support.passphrase_of(sent)
    handler = support.staff_login(other_client, services, alice)
    [report_id] = support.report_ids(handler.text)
    page = other_client.get(f"/staff/reports/{report_id}")
    for link in support.file_links(page.text):
        other_client.get(link)
    other_client.post(
        f"/staff/reports/{report_id}/reply",
        data={
            "csrf": support.token(page.text, f"/staff/reports/{report_id}/reply"),
            "text": "Which cousin?",
        },
    )
    log = client.get("/staff/audit/export").text
    assert "report_viewed" in log
    for leak in ("mayor", "cousin", "Which cousin", words.split()[0] + " " + words.split()[1]):
        assert leak not in log
