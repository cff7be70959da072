"""Statuses, deadlines and the overdue view with a moved clock; labels, flag, legal hold,
internal notes; the source sees the status and the acknowledgement, never a note."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from sealbox.audit.models import AuditEntry
from sealbox.reports.models import Note, Report
from tests import staff_kit, support

DAY = 24 * 3600


def _report(services, report_id) -> Report:
    with services.db.transaction() as session:
        return session.get(Report, report_id)


def test_deadlines_move_with_the_clock(services, client, other_client):
    hana = staff_kit.account(services, "hana", "handler")
    staff_kit.channel(services, "fraud", ["hana"])
    words = support.passphrase_of(support.submit(client, "fraud", "deadline test"))
    report_id = staff_kit.report_id_of(services, "fraud")
    received = services.clock.today()
    assert _report(services, report_id).due_on == received + dt.timedelta(days=7)

    handler = other_client
    support.staff_login(handler, services, hana)
    assert report_id not in handler.get("/staff/overdue").text
    services.clock.advance(8 * DAY)
    support.staff_login(handler, services, hana)  # the idle timeout has passed
    overdue = handler.get("/staff/overdue")
    assert report_id in overdue.text and "overdue" in overdue.text
    assert report_id in handler.get("/staff/?overdue=1").text
    assert report_id not in handler.get("/staff/?status=closed").text

    staff_kit.post(handler, f"/staff/reports/{report_id}/status", status="acknowledged")
    acknowledged = services.clock.today()
    report = _report(services, report_id)
    assert report.acknowledged_on == acknowledged
    assert report.due_on > acknowledged + dt.timedelta(days=88)  # feedback: three months
    assert report_id not in handler.get("/staff/overdue").text
    assert "Receipt confirmed" in support.source_login(client, words).text

    back = staff_kit.post(handler, f"/staff/reports/{report_id}/status", status="new")
    assert back.status_code == 400
    services.clock.advance(93 * DAY)
    support.staff_login(handler, services, hana)
    assert report_id in handler.get("/staff/overdue").text, "no feedback within 3 months"
    reply = handler.get(f"/staff/reports/{report_id}")
    handler.post(
        f"/staff/reports/{report_id}/reply",
        data={"csrf": support.token(reply.text), "text": "Which warehouse was it?"},
    )
    assert _report(services, report_id).feedback_on is None, "a question is not feedback"
    assert report_id in handler.get("/staff/overdue").text
    handler.post(
        f"/staff/reports/{report_id}/reply",
        data={"csrf": support.token(reply.text), "text": "We referred it.", "feedback": "1"},
    )
    assert _report(services, report_id).feedback_on == services.clock.today()
    assert report_id not in handler.get("/staff/overdue").text

    no_outcome = staff_kit.post(handler, f"/staff/reports/{report_id}/status", status="closed")
    assert no_outcome.status_code == 400 and "outcome" in no_outcome.text
    staff_kit.post(
        handler, f"/staff/reports/{report_id}/status", status="closed", outcome="referred"
    )
    report = _report(services, report_id)
    assert report.closed_on == services.clock.today() and report.due_on is None
    source_page = support.source_login(client, words).text
    assert "Closed" in source_page and "competent authority" in source_page
    staff_kit.post(handler, f"/staff/reports/{report_id}/status", status="in_progress")
    assert _report(services, report_id).closed_on is None, "reopening clears closed_on"


def test_a_reply_to_a_new_report_acknowledges_it(services, client, other_client):
    hana = staff_kit.account(services, "hana", "handler")
    staff_kit.channel(services, "fraud", ["hana"])
    support.submit(client, "fraud", "ack by reply")
    report_id = staff_kit.report_id_of(services, "fraud")
    support.staff_login(other_client, services, hana)
    page = other_client.get(f"/staff/reports/{report_id}")
    other_client.post(
        f"/staff/reports/{report_id}/reply",
        data={"csrf": support.token(page.text), "text": "Thank you, received."},
    )
    report = _report(services, report_id)
    assert report.status == "acknowledged" and report.feedback_on is None


def test_labels_flag_hold_and_filters(services, client, other_client):
    hana = staff_kit.account(services, "hana", "handler")
    staff_kit.channel(services, "fraud", ["hana"])
    staff_kit.channel(services, "safety", ["hana"])
    support.submit(client, "fraud", "one")
    support.submit(client, "safety", "two")
    fraud = staff_kit.report_id_of(services, "fraud")
    safety = staff_kit.report_id_of(services, "safety")
    support.staff_login(other_client, services, hana)
    h = other_client

    staff_kit.post(h, f"/staff/reports/{fraud}/labels", labels="Urgent, finance , urgent")
    bad = staff_kit.post(h, f"/staff/reports/{fraud}/labels", labels="<script>")
    assert bad.status_code == 400
    staff_kit.post(h, f"/staff/reports/{safety}/flag", flagged="1")
    staff_kit.post(h, f"/staff/reports/{fraud}/legal-hold", hold="1")
    assert _report(services, fraud).legal_hold
    assert "on legal hold" in h.get(f"/staff/reports/{fraud}").text

    assert support.report_ids(h.get("/staff/?label=urgent").text) == [fraud]
    assert support.report_ids(h.get("/staff/?flagged=1").text) == [safety]
    with services.db.transaction() as session:
        channel_ids = dict((r.id, r.channel_id) for r in session.scalars(select(Report)))
    assert support.report_ids(h.get(f"/staff/?channel={channel_ids[safety]}").text) == [safety]
    assert "finance, urgent" in h.get("/staff/").text
    with services.db.transaction() as session:
        actions = set(session.scalars(select(AuditEntry.action)))
    assert {"report_labels", "report_flag", "report_legal_hold", "report_viewed"} <= actions


def test_inbox_paginates(services, client, other_client):
    hana = staff_kit.account(services, "hana", "handler")
    staff_kit.channel(services, "fraud", ["hana"])
    for n in range(3):
        support.submit(client, "fraud", f"report {n}")
    support.staff_login(other_client, services, hana)
    from sealbox.reports import inbox

    with services.db.transaction() as session:
        first = inbox.inbox(session, _hana_id(services), 1, 2)
        second = inbox.inbox(session, _hana_id(services), 2, 2)
    assert (first.pages, first.total, len(first.items), len(second.items)) == (2, 3, 2, 1)
    assert not {i.report_id for i in first.items} & {i.report_id for i in second.items}
    page = other_client.get("/staff/?page=999")
    assert page.status_code == 200 and len(support.report_ids(page.text)) == 3


def test_a_capped_count_still_pages_on(services, client, other_client, monkeypatch):
    from sealbox.reports import inbox

    hana = staff_kit.account(services, "hana", "handler")
    staff_kit.channel(services, "fraud", ["hana"])
    for n in range(3):
        support.submit(client, "fraud", f"report {n}")
    monkeypatch.setattr(inbox, "COUNT_CAP", 1)
    with services.db.transaction() as session:
        first = inbox.inbox(session, _hana_id(services), 1, 2)
        second = inbox.inbox(session, _hana_id(services), 2, 2)
        third = inbox.inbox(session, _hana_id(services), 3, 2)
    assert first.capped and first.has_next and len(first.items) == 2
    assert len(second.items) == 1 and not second.has_next and not third.items
    support.staff_login(other_client, services, hana)
    page = other_client.get("/staff/")
    assert "1+" in page.text and "Page 1<" in page.text  # no "of N" past the cap


def _hana_id(services):
    from sealbox.accounts.models import User

    with services.db.transaction() as session:
        return session.scalar(select(User.id).where(User.username == "hana"))


def test_notes_are_sealed_and_never_shown_to_the_source(services, client, other_client):
    hana = staff_kit.account(services, "hana", "handler")
    staff_kit.channel(services, "fraud", ["hana"])
    words = support.passphrase_of(support.submit(client, "fraud", "note test"))
    report_id = staff_kit.report_id_of(services, "fraud")
    support.staff_login(other_client, services, hana)
    empty = staff_kit.post(other_client, f"/staff/reports/{report_id}/notes", text="  ")
    assert empty.status_code == 422
    page = staff_kit.post(
        other_client, f"/staff/reports/{report_id}/notes", text="NOTECANARY call legal first"
    )
    assert "NOTECANARY call legal first" in page.text
    with services.db.transaction() as session:
        [note] = session.scalars(select(Note))
        assert b"NOTECANARY" not in note.body.ciphertext
        details = " ".join(session.scalars(select(AuditEntry.details)))
    assert "NOTECANARY" not in details
    # Sealed to the notes key, which only the handlers hold: the source's key cannot open it.
    from sealbox import crypto
    from sealbox.crypto import CannotOpen
    from sealbox.reports.models import NoteKey
    from sealbox.sources import source_access, throttle

    budget = throttle.LoginBudget(1, 1.0, services.clock)
    source_key = source_access.log_in(services, words, budget).identity
    with pytest.raises(CannotOpen):
        crypto.unseal(note.body, source_key)
    with services.db.transaction() as session:
        holders = set(
            session.scalars(select(NoteKey.user_id).where(NoteKey.report_id == report_id))
        )
    assert holders == {_hana_id(services)}
    assert "NOTECANARY" not in support.source_login(client, words).text
    assert re.search(r"note_added", " ".join(_actions(services)))


def _actions(services):
    with services.db.transaction() as session:
        return list(session.scalars(select(AuditEntry.action)))
