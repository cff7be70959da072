"""Job: once a day, verify the audit log, sign its head and mail it to the auditors.

The mail is the auditors' copy of the anchor, outside the server; `sealbox audit verify
--anchor` checks the log against it. A log that fails verification is not signed: the auditors
are told to look instead.
"""

from __future__ import annotations

from sealbox import notify
from sealbox.audit import anchor
from sealbox.services import Services

NAME = "anchor"
INTERVAL = "job_anchor_seconds"


def run(services: Services) -> str:
    try:
        signed = anchor.sign_head(services)
    except (anchor.LogBroken, anchor.BadAnchor):
        with services.db.transaction() as session:
            notify.audit_log_broken(session, services.clock)
        raise
    with services.db.transaction() as session:
        mailed = notify.audit_anchor(session, services.clock, signed.to_text(), signed.seq)
    return f"signed entry {signed.seq}, mailed {mailed} auditor(s)"
