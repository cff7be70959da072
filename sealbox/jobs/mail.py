"""Job: count the past days' new reports and sources' follow-ups into mails, then send the
mail that is due (retries back off; see sealbox.notify.sender). The admin's "send now" calls
the same service."""

from __future__ import annotations

from sealbox.services import Services

NAME = "mail"
INTERVAL = "job_mail_seconds"


def run(services: Services) -> str:
    outcome = services.mail.send_due()
    return f"sent {outcome.sent}, failed {outcome.failed}"
