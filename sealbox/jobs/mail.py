"""Job: count the past days' new reports into mails, then send the mail that is due (retries
back off; see sealbox.notify.sender)."""

from __future__ import annotations

from sealbox import notify
from sealbox.notify import sender
from sealbox.services import Services

NAME = "mail"
INTERVAL = "job_mail_seconds"


def run(services: Services) -> str:
    with services.db.transaction() as session:
        notify.new_reports(session, services.clock, services.settings)
    outcome = sender.send_due(services)
    return f"sent {outcome.sent}, failed {outcome.failed}"
