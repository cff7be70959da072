"""The mail service: what the admin's mail page calls. Retrying a mail and queueing a test
mail are recorded in the audit log in the same transaction as the work."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sealbox.accounts import roles
from sealbox.accounts.actor import StaffContext
from sealbox.accounts.roles import Role
from sealbox.audit.log import record
from sealbox.errors import BadInput, NotFound
from sealbox.notify import queue, status
from sealbox.notify.addresses import normalise_email
from sealbox.notify.status import MailOverview

if TYPE_CHECKING:  # the composition root: for annotations only, never imported here
    from sealbox.services import Services

TEST_SUBJECT = "Sealbox test mail"
TEST_BODY = "This is a test mail from Sealbox: mail from this instance reaches you.\n"


class Mail:
    """The outgoing mail queue as admins see and steer it."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def overview(self, ctx: StaffContext) -> MailOverview:
        """Is mail configured, what waits, what failed and why, what went out lately."""
        roles.require(ctx.role, Role.ADMIN)
        with self._services.db.transaction() as session:
            return status.overview(session, self._services.settings)

    def retry(self, ctx: StaffContext, mail_id: str) -> None:
        """Put a waiting or failed mail at the front of the queue with a fresh budget."""
        roles.require(ctx.role, Role.ADMIN)
        clock = self._services.clock
        with self._services.db.transaction() as session:
            if queue.retry_now(session, clock, mail_id) is None:
                raise NotFound("This mail is not in the queue (any more).")
            record(session, clock, ctx.username, "mail_retried", f"mail:{mail_id}")

    def send_test(self, ctx: StaffContext, address: str) -> None:
        """Queue a test mail to `address` (sent by the mail job like any other)."""
        roles.require(ctx.role, Role.ADMIN)
        to = normalise_email(address)
        if to is None:
            raise BadInput("Type the address the test mail should go to.")
        clock = self._services.clock
        with self._services.db.transaction() as session:
            queue.enqueue(session, clock, "test", to, TEST_SUBJECT, TEST_BODY)
            record(session, clock, ctx.username, "mail_test_queued", None)
