"""Notifications by mail: queued in the database, sent by the mail job, never any content."""

from sealbox.notify.events import (
    audit_anchor,
    audit_log_broken,
    bulk_access_alert,
    deadline_reminder,
    disclosure_decided,
    disclosure_requested,
    new_reports,
    spam_shredded,
)
from sealbox.notify.staff_changes import (
    channel_changed,
    membership_changed,
    role_changed,
    second_factor_changed,
    sign_in_policy_changed,
)

__all__ = [
    "audit_anchor",
    "audit_log_broken",
    "bulk_access_alert",
    "channel_changed",
    "deadline_reminder",
    "disclosure_decided",
    "disclosure_requested",
    "membership_changed",
    "new_reports",
    "role_changed",
    "second_factor_changed",
    "sign_in_policy_changed",
    "spam_shredded",
]
