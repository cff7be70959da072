"""Report statuses, message authors and staff roles are enums stored as the words older rows
already hold: a status change is stored, audited and verified exactly as before, and a reply
is stored with the author word it always had."""

from __future__ import annotations

import json

from sqlalchemy import select, text

from sealbox.accounts.models import User
from sealbox.accounts.roles import Role
from sealbox.audit.models import AuditEntry
from sealbox.reports.models import Message, Report
from sealbox.reports.vocabulary import Author, ReportStatus
from tests import staff_kit, support
from tests.audit.cli_runner import sealbox

# The words rows written before the enums hold (reports.status, users.role).
STORED_STATUSES = ("new", "acknowledged", "in_progress", "closed")
STORED_ROLES = ("admin", "handler", "custodian", "auditor", "none")
STORED_AUTHORS = ("source", "staff")  # messages.author


def test_the_enums_name_exactly_the_stored_words():
    assert tuple(ReportStatus) == STORED_STATUSES
    assert tuple(Role) == STORED_ROLES
    assert [str(s) for s in ReportStatus] == list(STORED_STATUSES)
    assert json.dumps([*ReportStatus, *Role]) == json.dumps([*STORED_STATUSES, *STORED_ROLES])
    status_length = Report.__table__.c.status.type.length
    role_length = User.__table__.c.role.type.length
    assert all(len(s) <= status_length for s in ReportStatus)
    assert all(len(r) <= role_length for r in Role)
    assert tuple(Author) == STORED_AUTHORS
    assert all(len(a) <= Message.__table__.c.author.type.length for a in Author)


def test_a_status_change_is_stored_as_the_old_word_audited_and_verifies(
    services, client, other_client
):
    hana = staff_kit.account(services, "hana", "handler")
    staff_kit.channel(services, "fraud", ["hana"])
    support.submit(client, "fraud", "vocabulary test")
    report_id = staff_kit.report_id_of(services, "fraud")
    handler = other_client
    support.staff_login(handler, services, hana)

    moved = staff_kit.post(handler, f"/staff/reports/{report_id}/status", status="in_progress")
    assert moved.status_code < 400
    unknown = staff_kit.post(handler, f"/staff/reports/{report_id}/status", status="shelved")
    assert unknown.status_code == 400
    assert "new, acknowledged, in_progress, closed" in unknown.text

    with services.db.transaction() as session:
        stored = session.execute(
            text("SELECT status FROM reports WHERE id = :id"), {"id": report_id}
        ).scalar_one()
        role = session.execute(text("SELECT role FROM users WHERE username = 'hana'")).scalar_one()
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "report_status")
        ).one()
    assert (stored, role) == ("in_progress", "handler")
    assert json.loads(entry.details) == {"from": "new", "to": "in_progress"}
    assert '"to":"in_progress"' in entry.details
    verified = sealbox(services, "audit", "verify")
    assert verified.exit_code == 0, verified.output

    assert report_id in handler.get("/staff/?status=in_progress").text
    assert report_id not in handler.get("/staff/?status=new").text
    assert report_id in handler.get("/staff/?status=shelved").text, "an unknown filter is none"


def test_messages_keep_their_author_words_and_read_back_as_before(services, client, other_client):
    hana = staff_kit.account(services, "hana", "handler")
    staff_kit.channel(services, "fraud", ["hana"])
    sent = support.submit(client, "fraud", "who wrote what")
    words = support.passphrase_of(sent)
    report_id = staff_kit.report_id_of(services, "fraud")
    support.staff_login(other_client, services, hana)
    replied = staff_kit.post(other_client, f"/staff/reports/{report_id}/reply", text="Thank you")
    assert replied.status_code < 400

    with services.db.engine.connect() as connection:
        stored = connection.execute(
            text("SELECT author FROM messages WHERE report_id = :id ORDER BY id"), {"id": report_id}
        ).scalars()
        assert sorted(stored) == ["source", "staff"]
    staff_page = other_client.get(f"/staff/reports/{report_id}").text
    assert '<li class="message source"' in staff_page and '<li class="message staff"' in staff_page
    assert ">hana · " in staff_page
    client.cookies.clear()
    mine = support.source_login(client, words)
    assert '<li class="message staff"' in mine.text and "Thank you" in mine.text
