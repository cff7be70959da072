"""A mistake on a report page's form answers with the report page again: the refusal in the
reader's language beside the form, what was typed back in it, the status the refusal has.
A save is confirmed on the page after the redirect, by a message id in the URL and nothing a
handler typed."""

from __future__ import annotations

import html
import re

import pytest

from sealbox.locale import Message
from sealbox.reports.models import Note
from sealbox.web.formatting import message_text
from tests import staff_kit, support

LONG_NOTE = "名单 " * 10_001  # 30,003 characters: past the 20,000 a note may hold


@pytest.fixture
def case(services, client, other_client):
    """(handler's browser, report id) of a fresh report in a channel of hana's."""
    hana = staff_kit.account(services, "hana", "handler")
    staff_kit.account(services, "ivan", "handler")
    staff_kit.channel(services, "fraud", ["hana"])
    support.submit(client, "fraud", "the warehouse manager takes cash")
    support.staff_login(other_client, services, hana)
    return other_client, staff_kit.report_id_of(services, "fraud")


def _post(browser, report_id, action, lang="", **data):
    page = browser.get(f"/staff/reports/{report_id}")
    query = f"?lang={lang}" if lang else ""
    return browser.post(
        f"/staff/reports/{report_id}/{action}{query}",
        data={"csrf": support.token(page.text), **data},
        follow_redirects=True,
    )


def _said(lang: str, message: str, **params) -> str:
    return html.escape(message_text(lang, Message(message, params)), quote=False)


def _field(page: str, element_id: str) -> str:
    found = re.search(rf'<textarea id="{element_id}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, f"no text area {element_id}"
    return html.unescape(found.group(1))


def test_an_over_long_note_comes_back_with_its_text_and_nothing_is_stored(services, case):
    browser, report_id = case
    answer = _post(browser, report_id, "notes", text=LONG_NOTE)
    assert answer.status_code == 400
    assert _said("en", "A note has at most %(max)s characters.", max=20_000) in answer.text
    assert "<h1>Error" not in answer.text and 'id="refused"' in answer.text
    assert _field(answer.text, "note") == LONG_NOTE
    with services.db.transaction() as session:
        assert session.query(Note).count() == 0


def test_an_over_long_reply_comes_back_with_its_text_and_its_choice(services, case):
    browser, report_id = case
    text = "x" * (services.settings.max_message_chars + 1)
    answer = _post(browser, report_id, "reply", text=text, feedback="1")
    assert answer.status_code == 413
    assert "too long for one message" in answer.text
    assert _field(answer.text, "reply") == text
    assert re.search(r'id="feedback"[^>]* checked', answer.text)


def test_an_empty_reply_is_refused_beside_its_form(case):
    browser, report_id = case
    answer = _post(browser, report_id, "reply", text="   ")
    assert answer.status_code == 422 and "The message is empty" in answer.text
    assert 'id="reply"' in answer.text and 'aria-invalid="true"' in answer.text


@pytest.mark.parametrize(
    ("action", "data", "said"),
    [
        ("status", {"status": "lost"}, "Unknown status"),
        ("status", {"status": "closed"}, "Choose an outcome to close the report."),
        ("handlers", {"user_id": "0" * 32}, "only be given to an active handler account"),
        ("handlers/remove", {"user_id": "0" * 32}, "This person does not handle this report."),
        ("labels", {"labels": "<script>"}, "cannot be a label"),
        ("disclosure", {"reason": "because I want to know it"}, "gave no identity details"),
    ],
)
def test_each_form_of_the_report_page_says_what_was_wrong(case, action, data, said):
    browser, report_id = case
    answer = _post(browser, report_id, action, **data)
    assert answer.status_code == 400, answer.text
    assert html.escape(said, quote=False) in answer.text
    assert f"<h1>Report {report_id[:8]}" in answer.text, "the report page, not an error page"


def test_the_labels_typed_come_back(case):
    browser, report_id = case
    answer = _post(browser, report_id, "labels", labels="urgent, <script>")
    assert 'value="urgent, &lt;script&gt;"' in answer.text


def test_refusals_are_in_the_page_language(case):
    browser, report_id = case
    for lang in ("zh_Hant", "ug"):
        answer = _post(browser, report_id, "status", lang=lang, status="closed")
        assert answer.status_code == 400
        said = _said(lang, "Choose an outcome to close the report.")
        assert said != "Choose an outcome to close the report." and said in answer.text
        over = _post(browser, report_id, "notes", lang=lang, text=LONG_NOTE)
        assert _said(lang, "A note has at most %(max)s characters.", max=20_000) in over.text


def test_saves_are_confirmed_on_the_next_page(case):
    browser, report_id = case
    done = _post(browser, report_id, "status", status="in_progress")
    assert done.url.query.decode() == "done=status" and done.url.fragment == "workflow"
    assert "Status set to In progress." in done.text
    assert "Note saved." in _post(browser, report_id, "notes", text="Ask the auditor").text
    assert "Reply sent." in _post(browser, report_id, "reply", text="Received.").text
    assert "Flag set." in _post(browser, report_id, "flag", flagged="1").text
    assert "Labels saved." in _post(browser, report_id, "labels", labels="cash").text


def test_a_confirmation_is_translated_and_keeps_the_language(case):
    browser, report_id = case
    done = _post(browser, report_id, "status", lang="ug", status="in_progress")
    assert "lang=ug" in str(done.url)
    status = Message("In progress")
    said = _said("ug", "Status set to %(status)s.", status=status)
    assert said in done.text and "In progress" not in said


def test_the_confirmation_carries_no_typed_text_and_ignores_unknown_ids(case):
    browser, report_id = case
    done = _post(browser, report_id, "notes", text="the secret name")
    assert "secret" not in str(done.url) and "secret" not in str(done.history[0].headers)
    forged = browser.get(f"/staff/reports/{report_id}?done=<b>hello</b>")
    assert forged.status_code == 200 and 'class="success"' not in forged.text
