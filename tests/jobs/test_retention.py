"""Retention with a moved clock: expired reports are crypto-shredded (blobs, key wraps, rows),
a legal hold keeps a report, and the audit log keeps only a count."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from sealbox.channels.models import Channel
from sealbox.jobs import runner
from sealbox.reports.models import Attachment, Message, Report, ReportKey, SourceAccess
from tests import support
from tests.audit.cli_runner import sealbox

DAY = 86400


def retention(services) -> list[str]:
    return [run.outcome for run in runner.run_due(services, only=["retention"], force=True)]


def send(client, slug: str, text: str) -> str:
    sent = support.submit(client, slug, text, [(f"{text}.bin", text.encode() * 50)])
    assert sent.status_code == 200, sent.text
    return support.passphrase_of(sent)


def ids_and_blobs(services) -> dict[str, list[str]]:
    with services.db.transaction() as session:
        rows = session.execute(select(Attachment.report_id, Attachment.blob_id)).all()
    found: dict[str, list[str]] = {}
    for report_id, blob_id in rows:
        found.setdefault(report_id, []).append(blob_id)
    return found


def update_report(services, report_id: str, **values) -> None:
    with services.db.transaction() as session:
        report = session.get(Report, report_id)
        for key, value in values.items():
            setattr(report, key, value)


def rows_left(services, report_id: str) -> dict[str, int]:
    with services.db.transaction() as session:
        return {
            model.__tablename__: session.scalar(
                select(func.count())
                .select_from(model)
                .where((model.id if model is Report else model.report_id) == report_id)
            )
            for model in (Report, ReportKey, SourceAccess, Message, Attachment)
        }


def deletions(services) -> list[dict]:
    log = sealbox(services, "audit", "export").output
    return [
        json.loads(entry["details"])
        for entry in map(json.loads, log.splitlines())
        if entry["action"] == "retention_deleted"
    ]


def test_expired_reports_are_shredded_and_a_legal_hold_keeps_one(services, client, other_client):
    alice = support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    with services.db.transaction() as session:
        channel = session.scalars(select(Channel)).one()
        channel.retention_days_closed = 30
        channel.retention_days_unanswered = 90
    words = {name: send(client, "fraud", name) for name in ("closed", "held", "silent", "worked")}
    reports = ids_and_blobs(services)
    assert len(reports) == 4
    # Which report is which: the handler sees each file's name.
    handler = support.staff_login(other_client, services, alice)
    by_name = {}
    for report_id in support.report_ids(handler.text):
        page = other_client.get(f"/staff/reports/{report_id}")
        for name in words:
            if f"{name}.bin" in page.text:
                by_name[name] = report_id
    today = services.clock.today()
    update_report(
        services, by_name["closed"], status="closed", closed_on=today, acknowledged_on=today
    )
    update_report(
        services,
        by_name["held"],
        status="closed",
        closed_on=today,
        acknowledged_on=today,
        legal_hold=True,
    )
    update_report(services, by_name["worked"], status="in_progress", acknowledged_on=today)

    assert retention(services) == ["deleted 0 closed and 0 unanswered report(s)"]
    services.clock.advance(31 * DAY)
    assert retention(services) == ["deleted 1 closed and 0 unanswered report(s)"]
    gone = by_name["closed"]
    assert set(rows_left(services, gone).values()) == {0}
    for blob_id in reports[gone]:
        assert not services.blobs.path_of(blob_id).exists()
    for kept in ("held", "silent", "worked"):
        assert rows_left(services, by_name[kept])["reports"] == 1
        assert all(services.blobs.path_of(b).exists() for b in reports[by_name[kept]])
    # The source's passphrase opens nothing any more.
    assert support.source_login(client, words["closed"]).status_code != 200
    assert support.source_login(client, words["held"]).status_code == 200

    services.clock.advance(60 * DAY)
    assert retention(services) == ["deleted 0 closed and 1 unanswered report(s)"]
    assert rows_left(services, by_name["silent"])["reports"] == 0
    assert rows_left(services, by_name["worked"])["reports"] == 1
    assert rows_left(services, by_name["held"])["reports"] == 1

    # Lifting the hold lets the next run shred it.
    update_report(services, by_name["held"], legal_hold=False)
    assert retention(services) == ["deleted 1 closed and 0 unanswered report(s)"]

    assert deletions(services) == [
        {"closed": 1, "files": 1, "unanswered": 0},
        {"closed": 0, "files": 1, "unanswered": 1},
        {"closed": 1, "files": 1, "unanswered": 0},
    ]
    log = sealbox(services, "audit", "export").output
    assert "closed.bin" not in log and by_name["closed"] not in log.split("retention_deleted")[1]
    assert sealbox(services, "audit", "verify").exit_code == 0


def test_a_report_answered_by_staff_is_not_unanswered(services, client, other_client):
    alice = support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    send(client, "fraud", "answered")
    page = support.staff_login(other_client, services, alice)
    [report_id] = support.report_ids(page.text)
    report = other_client.get(f"/staff/reports/{report_id}")
    action = f"/staff/reports/{report_id}/reply"
    other_client.post(action, data={"csrf": support.token(report.text, action), "text": "Thanks"})
    services.clock.advance(800 * DAY)
    assert retention(services) == ["deleted 0 closed and 0 unanswered report(s)"]
