"""The mail service: what the admin's mail page and the mail job call. Retrying a mail and
queueing a test mail are recorded in the audit log in the same transaction as the work."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sealbox.accounts import roles
from sealbox.accounts.actor import StaffContext
from sealbox.accounts.roles import Role
from sealbox.audit.actions import AuditAction
from sealbox.audit.log import record
from sealbox.errors import BadInput, NotFound
from sealbox.notify import events, follow_ups, mail_config, queue, sender, status
from sealbox.notify.addresses import normalise_email
from sealbox.notify.mail_config import MailEdit, MailSettingsView
from sealbox.notify.sender import SendOutcome
from sealbox.notify.status import MailOverview

if TYPE_CHECKING:  # the composition root: for annotations only, never imported here
    from sealbox.services import Services

TEST_SUBJECT = "Sealbox test mail"
TEST_BODY = "This is a test mail from Sealbox: mail from this instance reaches you.\n"


class Mail:
    """The outgoing mail queue as admins see and steer it."""

    def __init__(self, services: Services) -> None:
        self._services = services
        # The day this process last counted follow-ups: they read the messages table, so once
        # a day is enough (another process counting again queues nothing twice: dedupe keys).
        self._follow_ups_on: dt.date | None = None

    def overview(self, ctx: StaffContext) -> MailOverview:
        """Is mail configured, what waits, what failed and why, what went out lately."""
        roles.require(ctx.role, Role.ADMIN)
        with self._services.db.transaction() as session:
            return status.overview(session, mail_config.current(self._services, session))

    def settings(self, ctx: StaffContext) -> MailSettingsView:
        """The mail settings in force, for the admin's form (whether a password is set, never
        the password)."""
        roles.require(ctx.role, Role.ADMIN)
        with self._services.db.transaction() as session:
            return mail_config.shown(mail_config.current(self._services, session))

    def save_settings(self, ctx: StaffContext, edit: MailEdit) -> None:
        """Store the admin's mail settings; they take the place of the settings file's."""
        roles.require(ctx.role, Role.ADMIN)
        clock = self._services.clock
        with self._services.db.transaction() as session:
            changed = mail_config.save(self._services, session, edit)
            if changed:
                record(
                    session,
                    clock,
                    ctx.username,
                    AuditAction.MAIL_SETTINGS_CHANGED,
                    None,
                    fields=changed,
                )

    def send_due(self) -> SendOutcome:
        """Count the past days' new reports and sources' follow-ups into mails, then send what
        is due (the mail job, and the admin's "send now"). Each mail is claimed before it is
        sent, so two senders at once never send one mail twice (`sender.send_due`)."""
        clock, settings = self._services.clock, self._services.settings
        today = clock.today()
        count_follow_ups = (
            clock.now().hour >= settings.new_report_mail_hour and self._follow_ups_on != today
        )
        with self._services.db.transaction() as session:
            events.new_reports(session, clock, settings)
            if count_follow_ups:
                follow_ups.follow_ups(session, clock)
        if count_follow_ups:
            self._follow_ups_on = today
        return sender.send_due(self._services)

    def send_now(self, ctx: StaffContext) -> SendOutcome:
        """An admin's "send now": what is due goes out without waiting for the mail job."""
        roles.require(ctx.role, Role.ADMIN)
        return self.send_due()

    def retry(self, ctx: StaffContext, mail_id: str) -> None:
        """Put a waiting or failed mail at the front of the queue with a fresh budget."""
        roles.require(ctx.role, Role.ADMIN)
        clock = self._services.clock
        with self._services.db.transaction() as session:
            if queue.retry_now(session, clock, mail_id) is None:
                raise NotFound("This mail is not in the queue (any more).")
            record(session, clock, ctx.username, AuditAction.MAIL_RETRIED, f"mail:{mail_id}")

    def send_test(self, ctx: StaffContext, address: str) -> None:
        """Queue a test mail to `address` (sent by the mail job like any other)."""
        roles.require(ctx.role, Role.ADMIN)
        to = normalise_email(address)
        if to is None:
            raise BadInput("Type the address the test mail should go to.")
        clock = self._services.clock
        with self._services.db.transaction() as session:
            queue.enqueue(session, clock, "test", to, TEST_SUBJECT, TEST_BODY)
            record(session, clock, ctx.username, AuditAction.MAIL_TEST_QUEUED, None)
