"""A channel's questionnaire: edited by an admin as text, rendered without JavaScript, answers
sealed with the report, and wrong answers sent back with what the source typed."""

from __future__ import annotations

from sqlalchemy import select

from sealbox.reports.models import Message
from tests import staff_kit, support

QUESTIONS = """text* Your department
long What happened first?
choice* Which site? = Berlin | Paris | Other
multi Who was involved? = Manager | Colleague | Contractor
date* When did it happen?
file A supporting document
  zh_Hans: 证明文件
"""


def _setup(services, client):
    ada = staff_kit.account(services, "ada", "admin")
    hana = staff_kit.account(services, "hana", "handler")
    channel_id = staff_kit.channel(services, "hr", ["hana"])
    support.staff_login(client, services, ada)
    saved = staff_kit.post(
        client, f"/staff/admin/channels/{channel_id}/questions", questions=QUESTIONS
    )
    assert saved.status_code == 200 and "Saved." in saved.text
    return hana, channel_id


def test_admin_editor_rejects_a_wrong_line_and_keeps_the_text(services, client):
    _, channel_id = _setup(services, client)
    bad = staff_kit.post(
        client, f"/staff/admin/channels/{channel_id}/questions", questions="text ok\nradio What?"
    )
    assert bad.status_code == 400
    assert "Line 2" in bad.text and "radio What?" in bad.text
    one_choice = staff_kit.post(
        client, f"/staff/admin/channels/{channel_id}/questions", questions="choice Pick = only"
    )
    assert "at least two choices" in one_choice.text


def test_questions_render_validate_and_seal(services, client, other_client):
    hana, _ = _setup(services, client)
    source = other_client
    form = source.get("/submit/hr")
    assert "<script" not in form.text
    for snippet in (
        'name="q0"',
        'type="radio" name="q2" value="Paris"',
        'name="q3_1"',
        'type="date"',
        'type="file"',
        "Your department",
    ):
        assert snippet in form.text, snippet
    assert "证明文件" in source.get("/submit/hr?lang=zh-Hans").text

    wrong = staff_kit.submit_form(
        source,
        "hr",
        {
            "text": "QCANARY overtime unpaid",
            "q0": "Logistics",
            "q1": "TYPEDLONG first it began",
            "q2": "Madrid",
            "q3_0": "1",
            "q4": "31/02/2024",
        },
    )
    assert wrong.status_code == 400
    assert "Please pick one of the choices." in wrong.text
    assert "YYYY-MM-DD" in wrong.text
    for kept in (
        "QCANARY overtime unpaid",
        'value="Logistics"',
        "TYPEDLONG first it began",
        'name="q3_0" value="1" checked',
    ):
        assert kept in wrong.text, kept
    missing = staff_kit.submit_form(source, "hr", {"text": "x", "q2": "Paris"})
    assert missing.text.count("Please answer this question.") == 2  # department and date

    sent = staff_kit.submit_form(
        source,
        "hr",
        {
            "text": "QCANARY overtime unpaid",
            "q0": "Logistics",
            "q2": "Paris",
            "q3_0": "1",
            "q3_2": "1",
            "q4": "2024-03-31",
        },
        [("q5", "rota.csv", b"QFILE monday,tuesday")],
    )
    assert sent.status_code == 200, sent.text
    report_id = staff_kit.report_id_of(services, "hr")
    mine = support.source_login(source, support.passphrase_of(sent))
    assert "Logistics" in mine.text and "Your department" in mine.text
    with services.db.transaction() as session:
        body = session.scalar(select(Message.body).where(Message.report_id == report_id))
    assert b"Logistics" not in body.ciphertext and b"QCANARY" not in body.ciphertext

    with staff_kit.browser(services) as handler:
        support.staff_login(handler, services, hana)
        page = handler.get(f"/staff/reports/{report_id}")
        for shown in (
            "Your department",
            "Logistics",
            "Paris",
            "Manager, Contractor",
            "2024-03-31",
            "rota.csv",
            "QCANARY",
        ):
            assert shown in page.text, shown
        [link] = support.file_links(page.text)
        assert handler.get(link).content == b"QFILE monday,tuesday"
