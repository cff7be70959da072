"""When a source writes again on a report, its handlers hear of it the morning after: one
digest per handler and day, counting reports per channel, with nothing a source wrote, no
report id, nothing derived from a passphrase and no time finer than the day."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from sealbox.reports.models import Report, SourceAccess
from tests import staff_kit, support
from tests.notify.mailbox import set_email, smtp_server
from tests.notify.test_events import at, run_mail

SECRET = "they are looking for me"


def _write_again(browser, words: str, text: str) -> None:
    assert support.source_login(browser, words).status_code == 200
    page = browser.get("/report")
    sent = browser.post(
        "/report/messages",
        data={"form_token": support.token(page.text, "/report/messages"), "text": text},
        files=[("files", ("", b"", "application/octet-stream"))],
    )
    assert sent.status_code == 200, sent.text


def _reply(browser, report_id: str) -> None:
    page = browser.get(f"/staff/reports/{report_id}")
    data = {"csrf": support.token(page.text), "text": "We read it."}
    assert browser.post(f"/staff/reports/{report_id}/reply", data=data).status_code == 200


def test_follow_ups_are_one_content_free_digest_per_handler_and_day(
    services, client, other_client, smtp_port
):
    alice = support.add_user(services, "alice")
    support.add_user(services, "bob")
    support.add_user(services, "carol")
    support.add_channel(services, "fraud", ["alice", "bob", "carol"])
    support.add_channel(services, "safety", ["alice"])
    set_email(services, "alice", "alice@example.org")
    set_email(services, "bob", "bob@example.org")  # carol has no address: she is not mailed
    start = services.clock.today() + dt.timedelta(days=1)
    at(services, start, 9, 0)
    old = support.passphrase_of(support.submit(client, "fraud", "the manager takes cash"))
    other = support.passphrase_of(support.submit(client, "safety", "the exit is locked"))
    with services.db.transaction() as session:
        ids = list(session.scalars(select(Report.id)))
        lookups = list(session.scalars(select(SourceAccess.lookup_id)))

    with smtp_server(smtp_port) as mailbox:
        at(services, start + dt.timedelta(days=1), 8, 0)
        run_mail(services)  # the new-report digests of the first day
        day = start + dt.timedelta(days=50)  # weeks later, on page 22 of the inbox
        at(services, day, 16, 47)
        _write_again(client, old, SECRET)
        _write_again(client, old, SECRET + ", again")
        _write_again(client, other, "the exit is still locked")
        support.staff_login(other_client, services, alice)
        # A handler's turn is not counted.
        _reply(other_client, staff_kit.report_id_of(services, "safety"))
        assert run_mail(services) == ["sent 0, failed 0"], "not before the day is over"
        at(services, day + dt.timedelta(days=1), 6, 59)
        assert run_mail(services) == ["sent 0, failed 0"], "not before the sending hour"
        already = len(mailbox.messages)
        at(services, day + dt.timedelta(days=1), 7, 0, 30)
        assert run_mail(services) == ["sent 2, failed 0"]
        assert run_mail(services) == ["sent 0, failed 0"]
        at(services, day + dt.timedelta(days=1), 12, 0)
        assert run_mail(services) == ["sent 0, failed 0"], "told once"
        at(services, day + dt.timedelta(days=2), 7, 30)
        assert run_mail(services) == ["sent 0, failed 0"], "a day is told once, not every day"
    mails = mailbox.messages[already:]
    [to_alice] = [m for m in mails if m["To"] == "alice@example.org"]
    [to_bob] = [m for m in mails if m["To"] == "bob@example.org"]
    assert to_alice["Subject"] == f"Sealbox: new messages from sources in 2 report(s) on {day}"
    alice_body = to_alice.get_content().replace("\r\n", "\n")
    assert f"On {day}, sources wrote again in 2 report(s) you handle:" in alice_body
    assert "- Fraud channel: 1 report(s)\n- Safety channel: 1 report(s)\n" in alice_body
    assert "- Fraud channel: 1 report(s)\n" in to_bob.get_content().replace("\r\n", "\n")
    assert "Safety" not in to_bob.get_content()
    for mail in (to_alice, to_bob):
        text = mail["Subject"] + mail.get_content()
        assert "looking" not in text and "locked" not in text and "manager" not in text
        assert not any(report_id in text for report_id in ids)
        assert not any(lookup in text for lookup in lookups)
        assert not any(word in text.split() for word in (old + " " + other).split())
        assert re.search(r"\d{1,2}:\d{2}", text) is None, "no time of the source's visit"


def test_a_new_report_is_not_a_follow_up(services, client, smtp_port):
    support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    set_email(services, "alice", "alice@example.org")
    day = services.clock.today() + dt.timedelta(days=1)
    at(services, day, 9, 0)
    words = support.passphrase_of(support.submit(client, "fraud", "first"))
    support.submit(client, "fraud", "second report, never followed up")
    _write_again(client, words, "same day, once more")
    with smtp_server(smtp_port) as mailbox:
        at(services, day + dt.timedelta(days=1), 7, 5)
        run_mail(services)
    subjects = sorted(m["Subject"] for m in mailbox.messages)
    assert subjects == [
        f"Sealbox: 2 new report(s) on {day}",
        f"Sealbox: new messages from sources in 1 report(s) on {day}",
    ]
