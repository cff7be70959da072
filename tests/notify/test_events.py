"""What each notification says, to whom, and when: never content, never a source's time."""

from __future__ import annotations

import datetime as dt
import email.utils

from sealbox import notify
from sealbox.jobs import runner
from tests import support
from tests.notify.mailbox import set_email, smtp_server

SECRET = "The treasurer moved 40,000 EUR to Cayman on the 3rd"


def at(services, day: dt.date, hour: int, minute: int = 0, second: int = 0) -> None:
    """Move the one clock to a UTC time."""
    target = dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=dt.UTC)
    services.clock.advance(target.timestamp() - services.clock.timestamp())


def run_mail(services):
    return [run.outcome for run in runner.run_due(services, only=["mail"], force=True)]


def test_new_reports_are_counted_the_morning_after_their_day_once_and_without_content(
    services, client, smtp_port
):
    support.add_user(services, "alice")
    support.add_user(services, "bob")
    support.add_channel(services, "fraud", ["alice", "bob"])
    set_email(services, "alice", "alice@example.org")  # bob has no address: no mail for him
    day = services.clock.today() + dt.timedelta(days=1)
    at(services, day, 6, 30)
    sent = support.submit(client, "fraud", f"{SECRET} #0", [("ledger.xlsx", b"x" * 100)])
    assert sent.status_code == 200, sent.text

    with smtp_server(smtp_port) as mailbox:
        at(services, day, 7, 0, 30)
        # The day is not over: a mail now would say that this report came before 07:00.
        assert run_mail(services) == ["sent 0, failed 0"]
        at(services, day, 15, 0)
        assert support.submit(client, "fraud", f"{SECRET} #1").status_code == 200
        assert run_mail(services) == ["sent 0, failed 0"]
        at(services, day + dt.timedelta(days=1), 6, 59)
        assert run_mail(services) == ["sent 0, failed 0"]
        at(services, day + dt.timedelta(days=1), 7, 0, 20)
        assert run_mail(services) == ["sent 1, failed 0"]
        assert run_mail(services) == ["sent 0, failed 0"]  # told once
    [message] = mailbox.messages
    assert message["To"] == "alice@example.org"
    assert message["Subject"] == f"Sealbox: 2 new report(s) on {day}"
    # Both reports of the day, the one before 07:00 and the one after, counted together.
    assert f"2 new report(s) arrived in your channels on {day}:\n- Fraud channel: 2 new\n" in (
        message.get_content().replace("\r\n", "\n")
    )
    text = message.as_string()
    assert "Cayman" not in text and "ledger" not in text
    date = email.utils.parsedate_to_datetime(message["Date"])
    assert (date.hour, date.minute) == (7, 0)


def test_a_submission_queues_no_mail(services, client):
    from sqlalchemy import func, select

    from sealbox.notify.models import OutgoingMail

    support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    assert support.submit(client, "fraud", "first").status_code == 200
    with services.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(OutgoingMail)) == 0


def reminders(mailbox):
    return [m for m in mailbox.messages if m["Subject"] == "Sealbox: report deadlines"]


def test_deadline_reminders_count_reports_and_come_once_a_day(services, client, smtp_port):
    support.add_user(services, "alice")
    set_email(services, "alice", "alice@example.org")
    support.add_channel(services, "fraud", ["alice"])
    support.submit(client, "fraud", SECRET)

    def remind():
        runner.run_due(services, only=["reminders"], force=True)
        runner.run_due(services, only=["reminders"], force=True)  # twice: still one mail
        run_mail(services)

    with smtp_server(smtp_port) as mailbox:
        remind()  # day 0: the acknowledgement is due in 7 days; nothing to say
        assert reminders(mailbox) == []
        services.clock.advance(6 * 86400)
        remind()
        [soon] = reminders(mailbox)
        services.clock.advance(2 * 86400)
        remind()
        [_, late] = reminders(mailbox)
    assert "1 report(s) reach their deadline within 2 day(s)" in soon.get_content()
    assert "1 report(s) have passed their deadline" in late.get_content()
    for message in (soon, late):
        assert "Cayman" not in message.as_string()


def test_disclosure_mails_go_to_custodians_and_back_to_the_handler(services, smtp_port):
    for name, role in (("carol", "custodian"), ("alice", "handler"), ("audrey", "auditor")):
        support.add_user(services, name, role)
        set_email(services, name, f"{name}@example.org")
    with services.db.transaction() as session:
        assert notify.disclosure_requested(session, services.clock) == 1
        alice = session.query(notify.events.User).filter_by(username="alice").one()
        assert notify.disclosure_decided(session, services.clock, alice.id, approved=False)
    with smtp_server(smtp_port) as mailbox:
        run_mail(services)
    # (Custodians and auditors also hear of the accounts being added; those are not counted.)
    disclosure = [m for m in mailbox.messages if "disclosure" in m["Subject"]]
    assert [m["To"] for m in disclosure].count("carol@example.org") == 1
    assert "denied" in mailbox.to("alice@example.org")[0]["Subject"]
    assert [m for m in disclosure if m["To"] == "audrey@example.org"] == []
