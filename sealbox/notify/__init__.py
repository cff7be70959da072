"""Notifications by mail: queued in the database, sent by the mail job, never any content."""

from sealbox.notify.events import (
    audit_anchor,
    audit_log_broken,
    bulk_access_alert,
    deadline_reminder,
    disclosure_decided,
    disclosure_requested,
    new_reports,
)

__all__ = [
    "audit_anchor",
    "audit_log_broken",
    "bulk_access_alert",
    "deadline_reminder",
    "disclosure_decided",
    "disclosure_requested",
    "new_reports",
]
