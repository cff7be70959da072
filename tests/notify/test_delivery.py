"""Mail is queued, sent by the mail job over real SMTP, retried with backoff, and every failure
shows on the admin's mail page."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

import pytest
from aiosmtpd.controller import Controller

from sealbox.jobs import runner
from tests import support
from tests.notify.mailbox import Mailbox, smtp_server


@pytest.fixture
def admin(services, client):
    account = support.add_user(services, "root", "admin")
    page = support.staff_login(client, services, account)
    assert page.status_code == 200, page.text
    return account


def run_mail(services):
    return [run.outcome for run in runner.run_due(services, only=["mail"], force=True)]


def queue_test_mail(client, address="ops@example.org"):
    page = client.get("/staff/admin/mail")
    csrf = support.token(page.text, "/staff/admin/mail/test")
    return client.post("/staff/admin/mail/test", data={"csrf": csrf, "address": address})


def test_a_mail_that_fails_is_shown_to_admins_then_delivered_once_the_server_is_up(
    services, client, admin, smtp_port
):
    queued = queue_test_mail(client)
    assert queued.status_code == 200
    assert "A test mail is queued." in queued.text

    # The server is down: the admin presses "send now" and sees why nothing left.
    page = client.get("/staff/admin/mail")
    sent = client.post(
        "/staff/admin/mail/send", data={"csrf": support.token(page.text, "/staff/admin/mail/send")}
    )
    assert sent.status_code == 200
    assert "refused the connection" in sent.text
    assert "will retry" in sent.text
    assert "ops@example.org" in sent.text

    with smtp_server(smtp_port) as mailbox:
        # Not yet: the retry waits out its backoff.
        services.clock.advance(30)
        run_mail(services)
        assert mailbox.messages == []
        services.clock.advance(31)
        assert run_mail(services) == ["sent 1, failed 0"]
    [message] = mailbox.to("ops@example.org")
    assert message["Subject"] == "Sealbox test mail"
    assert message["From"] == "sealbox@example.org"

    page = client.get("/staff/admin/mail")
    assert "No failed mail." in page.text
    assert "Sent lately" in page.text and "ops@example.org" in page.text


@pytest.mark.parametrize("mail_settings", [{"mail_max_attempts": 3, "mail_retry_seconds": 10}])
def test_retries_back_off_then_give_up_and_an_admin_can_retry(
    services, client, admin, smtp_port, mail_settings
):
    queue_test_mail(client)
    waits = []
    for _ in range(3):
        assert run_mail(services) == ["sent 0, failed 1"]
        # Right after a failure nothing is due; the next try comes after a doubling delay.
        assert run_mail(services) == ["sent 0, failed 0"]
        waits.append(next_attempt_in(services))
        services.clock.advance(100)
    assert [round(wait, -1) for wait in waits[:2]] == [10, 20]  # doubling, from 10 s
    page = client.get("/staff/admin/mail")
    assert "failed for good" in page.text
    assert "Failed for good: 1" in page.text

    action = _retry_action(page.text)
    retry = client.post(action, data={"csrf": support.token(page.text, action)})
    assert retry.status_code == 200
    with smtp_server(smtp_port) as mailbox:
        assert run_mail(services) == ["sent 1, failed 0"]
    assert len(mailbox.messages) == 1


def _retry_action(html: str) -> str:
    import re

    [action] = re.findall(r'action="(/staff/admin/mail/[0-9a-f]{32}/retry)"', html)
    return action


def next_attempt_in(services) -> int:
    from sqlalchemy import select

    from sealbox.notify.models import OutgoingMail

    with services.db.transaction() as session:
        mail = session.scalars(select(OutgoingMail)).one()
        if mail.state != "pending":
            return -1
        at = (
            mail.next_attempt
            if mail.next_attempt.tzinfo
            else mail.next_attempt.replace(tzinfo=dt.UTC)
        )
        return round((at - services.clock.now()).total_seconds())


@pytest.mark.parametrize("mail_settings", [{"smtp_host": ""}])
def test_without_an_smtp_server_mail_waits_and_the_admin_is_told(
    services, client, admin, mail_settings
):
    queue_test_mail(client)
    assert run_mail(services) == ["sent 0, failed 1"]
    page = client.get("/staff/admin/mail")
    assert "No SMTP server is configured" in page.text
    assert "will retry" in page.text


@pytest.mark.parametrize("mail_settings", [{"smtp_starttls": True}])
def test_a_server_without_starttls_is_refused_with_a_clear_reason(
    services, client, admin, smtp_port, mail_settings
):
    queue_test_mail(client)
    with smtp_server(smtp_port) as mailbox:
        run_mail(services)
    assert mailbox.messages == []
    assert "does not offer STARTTLS" in client.get("/staff/admin/mail").text


def test_only_admins_see_the_mail_page(services, client, other_client):
    for role in ("handler", "auditor", "custodian"):
        account = support.add_user(services, f"some-{role}", role)
        other_client.cookies.clear()
        support.staff_login(other_client, services, account)
        assert other_client.get("/staff/admin/mail").status_code == 403
    other_client.cookies.clear()
    assert other_client.get("/staff/admin/mail").status_code == 401


def test_a_mistyped_address_is_refused_clearly(services, client, admin):
    answer = queue_test_mail(client, "ops.example.org")
    assert answer.status_code == 400
    assert "is not a mail address" in answer.text


class _HeldMailbox(Mailbox):
    """Takes a message only when the test lets it: a sender stays in the middle of sending."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope) -> str:
        self.arrived.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
        return await super().handle_DATA(server, session, envelope)


def test_send_now_while_the_mail_job_is_sending_sends_each_mail_once(
    services, client, admin, smtp_port
):
    queue_test_mail(client)
    mailbox = _HeldMailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        job = threading.Thread(target=run_mail, args=(services,))
        job.start()
        assert mailbox.arrived.wait(30), "the mail job never reached the SMTP server"
        # The job is mid-send: the admin's "send now" must not take the same mail again.
        page = client.get("/staff/admin/mail")
        pressed = client.post(
            "/staff/admin/mail/send",
            data={"csrf": support.token(page.text, "/staff/admin/mail/send")},
        )
        assert pressed.status_code == 200
        mailbox.release.set()
        job.join(30)
    finally:
        mailbox.release.set()
        controller.stop()
    assert len(mailbox.to("ops@example.org")) == 1
    assert run_mail(services) == ["sent 0, failed 0"]
