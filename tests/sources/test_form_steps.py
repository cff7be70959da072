"""Conditional questions as server-side steps of the source form: no JavaScript, nothing stored
between steps, one single-use token for the whole form, and a question not asked has no answer."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from sealbox.reports.models import Report
from sealbox.sources.models import UsedToken
from tests import staff_kit, support

QUESTIONS = [
    {
        "key": "q0",
        "kind": "yesno",
        "labels": {"en": "Did anyone see it?", "ug": "كۆرگەنلەر بارمۇ؟"},
        "required": True,
        "choices": [
            {"key": "yes", "labels": {"en": "Yes", "ug": "ھەئە"}},
            {"key": "no", "labels": {"en": "No", "ug": "ياق"}},
        ],
    },
    {
        "key": "q1",
        "kind": "text",
        "labels": {"en": "Who saw it?", "ug": "كىم كۆردى؟"},
        "required": True,
        "when": {"question": "q0", "choice": "yes"},
    },
    {
        "key": "q2",
        "kind": "choice",
        "labels": {"en": "Which site?"},
        "choices": [
            {"key": "0", "labels": {"en": "Warehouse"}},
            {"key": "1", "labels": {"en": "Office"}},
        ],
    },
    {
        "key": "q3",
        "kind": "long",
        "labels": {"en": "What is stored there?"},
        "when": {"question": "q2", "choice": "0"},
    },
]
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _site(services):
    hana = staff_kit.account(services, "hana", "handler")
    staff_kit.channel(services, "hr", ["hana"], questions=QUESTIONS)
    return hana


def _counts(services) -> tuple[int, int]:
    with services.db.transaction() as session:
        return (
            session.scalar(select(func.count()).select_from(Report)),
            session.scalar(select(func.count()).select_from(UsedToken)),
        )


def _form(html: str) -> dict[str, str]:
    return dict(HIDDEN.findall(html))


def test_conditional_questions_come_on_the_next_step(services, client):
    _site(services)
    first = client.get("/submit/hr")
    assert first.status_code == 200 and "<script" not in first.text
    assert "Step 1 of 2" in first.text
    assert "Did anyone see it?" in first.text and "Which site?" in first.text
    assert "Who saw it?" not in first.text and "What is stored there?" not in first.text
    assert 'action="/submit/hr/step"' in first.text and 'type="file"' not in first.text
    token = support.token(first.text)
    before = _counts(services)

    # A required answer missing: the same step again, with what was typed.
    missing = client.post(
        "/submit/hr/step", data={"form_token": token, "step": "0", "text": "STEPCANARY"}
    )
    assert missing.status_code == 400 and "Please answer this question." in missing.text
    assert "STEPCANARY" in missing.text and "Step 1 of 2" in missing.text

    second = client.post(
        "/submit/hr/step",
        data={"form_token": token, "step": "0", "text": "STEPCANARY", "q0": "yes", "q2": "1"},
    )
    assert second.status_code == 200
    assert "Who saw it?" in second.text and "What is stored there?" not in second.text
    assert 'type="file"' in second.text and 'enctype="multipart/form-data"' in second.text
    carried = _form(second.text)
    assert carried["text"] == "STEPCANARY" and carried["q0"] == "yes" and carried["q2"] == "1"
    assert carried["form_token"] == token, "one token for the whole form"
    assert "Office" in second.text, "the answers so far are shown"
    assert _counts(services) == before, "nothing is stored between steps"

    # Back: the first step again, with its answers chosen.
    back = client.post("/submit/hr/step", data={**carried, "action": "back"})
    assert 'name="q0" value="yes" checked' in back.text and "STEPCANARY" in back.text

    # The required conditional question is enforced, now that it is asked.
    unanswered = client.post("/submit/hr", data=carried, files=[("files", ("", b""))])
    assert unanswered.status_code == 400 and "Please answer this question." in unanswered.text
    assert "Who saw it?" in unanswered.text, "the step with the problem comes back"


def test_a_question_not_asked_has_no_answer(services, client, other_client):
    hana = _site(services)
    token = support.token(client.get("/submit/hr").text)
    # The form claims "no" but carries an answer to the question asked only after "yes",
    # and leaves that required question empty otherwise: neither counts.
    sent = client.post(
        "/submit/hr",
        data={
            "form_token": token,
            "text": "HIDDENCANARY",
            "q0": "no",
            "q1": "TAMPEREDANSWER",
            "q2": "1",
            "q3": "NOTASKED",
        },
        files=[("files", ("", b""))],
    )
    assert sent.status_code == 200, sent.text
    again = client.post(
        "/submit/hr",
        data={"form_token": token, "text": "again", "q0": "no"},
        files=[("files", ("", b""))],
    )
    assert again.status_code == 409, "the token still works once"
    report_id = staff_kit.report_id_of(services, "hr")
    support.staff_login(other_client, services, hana)
    page = other_client.get(f"/staff/reports/{report_id}").text
    assert "HIDDENCANARY" in page and "Office" in page and "Did anyone see it?" in page
    assert "TAMPEREDANSWER" not in page and "NOTASKED" not in page and "Who saw it?" not in page


def test_steps_in_uyghur_show_only_uyghur_labels(services, client):
    _site(services)
    first = client.get("/submit/hr?lang=ug")
    token = support.token(first.text)
    assert "كۆرگەنلەر بارمۇ؟" in first.text and "ھەئە" in first.text
    second = client.post(
        "/submit/hr/step?lang=ug", data={"form_token": token, "step": "0", "q0": "yes"}
    )
    assert "كىم كۆردى؟" in second.text and "Who saw it?" not in second.text
    sent = client.post(
        "/submit/hr?lang=ug",
        data={**_form(second.text), "q1": "Ali"},
        files=[("files", ("", b""))],
    )
    assert sent.status_code == 200, sent.text
    support.source_login(client, support.passphrase_of(sent))
    mine = client.get("/report?lang=ug").text
    assert "كىم كۆردى؟" in mine and "ھەئە" in mine and "Who saw it?" not in mine
