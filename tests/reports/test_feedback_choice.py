"""The 3-month feedback deadline (Directive art. 9(1)(f)) stops only when a handler marks a
reply as the feedback on the outcome, or closes the report with an outcome the source sees;
a routine reply (a question, a receipt) leaves it running. Each choice is on record."""

from __future__ import annotations

import datetime as dt

from sealbox.reports.models import Report
from tests import staff_kit, support

DAY = 24 * 3600


def _report(services, report_id) -> Report:
    with services.db.transaction() as session:
        return session.get(Report, report_id)


def _reply(handler, report_id, text, **extra):
    page = handler.get(f"/staff/reports/{report_id}")
    data = {"csrf": support.token(page.text), "text": text, **extra}
    return handler.post(f"/staff/reports/{report_id}/reply", data=data, follow_redirects=True)


def _acknowledged_report(services, client, handler):
    hana = staff_kit.account(services, "hana", "handler")
    staff_kit.channel(services, "fraud", ["hana"])
    support.submit(client, "fraud", "the warehouse manager takes cash")
    report_id = staff_kit.report_id_of(services, "fraud")
    support.staff_login(handler, services, hana)
    _reply(handler, report_id, "Thank you, we received your report.")
    return report_id


def test_plain_replies_leave_the_clock_running_and_the_marked_one_stops_it(
    services, client, other_client
):
    report_id = _acknowledged_report(services, client, other_client)
    acknowledged = _report(services, report_id)
    assert acknowledged.acknowledged_on == services.clock.today()
    due = acknowledged.due_on
    assert due > services.clock.today() + dt.timedelta(days=88)

    _reply(other_client, report_id, "Which warehouse do you mean?")
    _reply(other_client, report_id, "And since when?")
    asked = _report(services, report_id)
    assert asked.feedback_on is None and asked.due_on == due, "questions are not feedback"

    page = _reply(other_client, report_id, "We audited the till; action follows.", feedback="1")
    assert "recorded as the feedback on the outcome" in page.text
    given = _report(services, report_id)
    assert given.feedback_on == services.clock.today() and given.due_on is None
    replies = [
        details
        for _, action, details in support.audit_entries(services, f"report:{report_id}")
        if action == "reply_sent"
    ]
    assert [d.get("feedback", False) for d in replies] == [False, False, False, True]


def test_the_reply_form_offers_the_choice_and_says_when_feedback_was_given(
    services, client, other_client
):
    report_id = _acknowledged_report(services, client, other_client)
    page = other_client.get(f"/staff/reports/{report_id}").text
    assert 'name="feedback"' in page and "This reply is the feedback on the outcome" in page
    assert "Feedback was given on" not in page
    _reply(other_client, report_id, "The case is referred to the authority.", feedback="1")
    assert "Feedback was given on" in other_client.get(f"/staff/reports/{report_id}").text


def test_closing_with_an_outcome_is_feedback(services, client, other_client):
    report_id = _acknowledged_report(services, client, other_client)
    staff_kit.post(
        other_client, f"/staff/reports/{report_id}/status", status="closed", outcome="referred"
    )
    closed = _report(services, report_id)
    assert closed.feedback_on == services.clock.today() and closed.due_on is None
