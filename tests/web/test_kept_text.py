"""A database that does not answer never costs a person what they typed.

A source's follow-up message and every staff form someone writes in (a reply to the source, a
note, a label, the reason for a disclosure request, a custodian's reasons, an admin's channel
texts, questionnaire and new accounts) come back in an editable form: 503 with Retry-After,
in the reader's language, and nothing of the form stored. The source's page shows nothing of
the report: the session could not be checked. Sent again once the database is back, the form
goes in. The database stays away as tests/database_away.py makes it.
"""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from sealbox.errors import DatabaseUnavailable
from tests import staff_kit, support
from tests.conftest import PG_URL
from tests.database_away import PgGate, sqlite_held
from tests.web.kept_kit import REPORT_TEXT, TYPED, counts, kept_page


@pytest.fixture
def gate(backend):
    """PostgreSQL: the relay the app reaches its database through."""
    if backend != "postgresql":
        yield None
        return
    relay = PgGate(PG_URL)
    yield relay
    relay.close()


@pytest.fixture
def database_url(database_url, gate):
    return gate.through(database_url) if gate else database_url


@pytest.fixture
def settings(settings):
    # SQLite: a write waits a second for the lock before the database counts as away.
    return dataclasses.replace(settings, database_busy_seconds=1.0)


@pytest.fixture
def away(gate, settings):
    """A context manager: the database does not answer inside it."""
    if gate is not None:
        return gate.away
    return lambda: sqlite_held(settings.data_dir / "sealbox.db")


def test_a_source_follow_up_comes_back_and_reveals_nothing(services, client, away):
    support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    words = support.passphrase_of(support.submit(client, "fraud", REPORT_TEXT))
    page = support.source_login(client, words)
    token = support.token(page.text, "/report/messages")
    before, blobs = counts(services), len(list(services.blobs.ids()))

    with away():
        answer = client.post(
            "/report/messages?lang=ug",
            data={"form_token": token, "text": TYPED},
            files=[("files", ("ledger.bin", b"ledger " * 40_000, "application/octet-stream"))],
        )
    form = kept_page(answer, DatabaseUnavailable, "ug", "ug")
    assert 'dir="rtl"' in answer.text
    assert form.textareas == {"text": TYPED}
    assert form.multipart and 'type="file"' in answer.text, "files can be chosen again"
    # The session was not checked: nothing of the report is on the page.
    for secret in ("REPORTCANARY", "Fraud channel", "Log out", "/logout"):
        assert secret not in answer.text, secret
    assert "<script" not in answer.text
    assert counts(services) == before, "nothing stored"
    assert len(list(services.blobs.ids())) == blobs, "no file kept"

    # Back again: the same form, sent as it came, goes in (the session is checked then).
    again = client.post(
        form.action,
        data=form.data(),
        files=[("files", ("", b"", "application/octet-stream"))],
        follow_redirects=True,
    )
    assert again.status_code == 200 and TYPED in again.text, again.text[:2000]
    assert counts(services)["messages"] == before["messages"] + 1


def test_a_follow_up_from_no_session_gets_nothing_back(services, client, away):
    support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    words = support.passphrase_of(support.submit(client, "fraud", REPORT_TEXT))
    token = support.token(support.source_login(client, words).text, "/report/messages")
    client.cookies.clear()
    with away():
        answer = client.post(
            "/report/messages",
            data={"form_token": token, "text": TYPED},
            files=[("files", ("", b"", "application/octet-stream"))],
        )
    # Without the session's cookie the form is no one's: refused (401 where the session could
    # be looked up, 403 where only the form token could be checked), and nothing is shown.
    assert answer.status_code in (401, 403), answer.text[:2000]
    assert "KEPTCANARY" not in answer.text


def _staff_forms(services, client):
    """(browser, path, form data) of every staff form someone writes in, in three roles."""
    hana = staff_kit.account(services, "hana", "handler")
    cora = staff_kit.account(services, "cora", "custodian")
    root = staff_kit.account(services, "root", "admin")
    channel_id = staff_kit.channel(services, "city", ["hana"], allow_identity=True)
    sent = staff_kit.submit_form(
        client, "city", {"text": REPORT_TEXT, "identity_name": "Jane Roe", "identity_contact": "x"}
    )
    assert sent.status_code == 200, sent.text
    report_id = staff_kit.report_id_of(services, "city")
    handler, custodian, admin = (staff_kit.browser(services) for _ in range(3))
    for browser, account in ((handler, hana), (custodian, cora), (admin, root)):
        browser.__enter__()
        assert support.staff_login(browser, services, account).status_code == 200
    asked = staff_kit.post(
        handler, f"/staff/reports/{report_id}/disclosure", reason="A" * 30 + " first request"
    )
    assert asked.status_code == 200
    [request_id] = staff_kit.request_ids(custodian.get("/staff/disclosures").text)
    report = f"/staff/reports/{report_id}"
    channel = f"/staff/admin/channels/{channel_id}"
    forms = [
        (handler, f"{report}/reply", {"text": TYPED}),
        (handler, f"{report}/notes", {"text": TYPED}),
        (handler, f"{report}/labels", {"labels": TYPED}),
        (custodian, f"/staff/disclosures/{request_id}/deny", {"reason": TYPED}),
        (custodian, f"/staff/disclosures/{request_id}/approve", {"reason": TYPED}),
        (admin, "/staff/admin/channels", {"slug": "depot", "name": TYPED}),
        (admin, "/staff/admin/users", {"username": "KEPTCANARY", "role": "handler"}),
        (admin, f"{channel}/questions", {"kind": "text", "label": TYPED}),
        (admin, "/staff/admin/mail/test", {"address": "KEPTCANARY@example.org"}),
        (
            admin,
            channel,
            {
                "name_en": "City",
                "description_en": TYPED,
                "name_ug": "شەھەر",
                "description_ug": TYPED,
                "name_zh_Hant": "城市",
                "description_zh_Hant": TYPED,
                "active": "1",
                "allow_identity": "1",
                "retention_days_closed": "365",
                "retention_days_unanswered": "730",
            },
        ),
    ]
    return forms, (handler, custodian, admin)


def test_every_staff_form_someone_writes_in_comes_back(services, client, away):
    forms, browsers = _staff_forms(services, client)
    try:
        before = counts(services)
        kept = []
        for browser, path, data in forms:
            token = staff_kit.csrf(browser)
            with away():
                answer = browser.post(f"{path}?lang=zh-Hant", data={"csrf": token, **data})
            form = kept_page(answer, DatabaseUnavailable, "zh-Hant", "zh_Hant")
            # Every field comes back as it was sent: what was typed editable, the rest hidden.
            sent_back = dict(form.fields)
            for name, value in data.items():
                assert sent_back.get(name) == value, (path, name, form.fields)
            assert any("KEPTCANARY" in value for value in form.textareas.values()) or (
                "KEPTCANARY" in answer.text and 'dir="auto"' in answer.text
            ), path
            assert "REPORTCANARY" not in answer.text
            kept.append((browser, path, form))
        assert counts(services) == before, "nothing stored"

        # Back again: the reply and the channel's texts, sent as they came back, go in.
        for browser, path, form in (kept[0], kept[-1]):
            done = browser.post(form.action, data=form.data(), follow_redirects=True)
            assert done.status_code == 200 and TYPED in done.text, (path, done.text[:2000])
        assert counts(services)["messages"] == before["messages"] + 1
    finally:
        for browser in browsers:
            browser.__exit__(None, None, None)


def _connection(response: httpx.Response) -> tuple[str, int]:
    """The client's end of the connection that carried `response`."""
    return response.extensions["network_stream"].get_extra_info("client_addr")


def test_the_connection_stays_open_for_the_next_request(services, away, server):
    support.add_user(services, "alice")
    hana = staff_kit.account(services, "hana", "handler")
    support.add_channel(services, "fraud", ["alice", "hana"])
    url = f"http://127.0.0.1:{server}"
    with (
        httpx.Client(base_url=url, timeout=60, follow_redirects=True) as source,
        httpx.Client(base_url=url) as staff,
    ):
        words = support.passphrase_of(support.submit(source, "fraud", REPORT_TEXT))
        token = support.token(support.source_login(source, words).text, "/report/messages")
        assert support.staff_login(staff, services, hana).status_code == 200
        [report_id] = support.report_ids(staff.get("/staff/").text)
        csrf = staff_kit.csrf(staff)
        with away():
            # A file of some size: the rest of the body is read, so the browser is still
            # listening when the page comes, and the connection can serve the next request.
            kept = source.post(
                "/report/messages",
                data={"form_token": token, "text": TYPED},
                files=[("files", ("ledger.bin", b"x" * (4 << 20), "application/octet-stream"))],
            )
            reply = staff.post(
                f"/staff/reports/{report_id}/reply", data={"csrf": csrf, "text": TYPED}
            )
            then = source.get("/login"), staff.get("/staff/login")
        for answer, after in zip((kept, reply), then, strict=True):
            assert answer.status_code == 503 and "KEPTCANARY" in answer.text, answer.text[:2000]
            assert after.status_code == 200
            assert _connection(after) == _connection(answer), "the same connection"
