"""The bulk-access rule: a staff member opening many reports in a short time (an insider
pulling what they can) raises an alert in the audit log and mails the auditors."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sealbox import audit, notify
from sealbox.audit.actions import AuditAction
from sealbox.audit.models import AuditEntry
from sealbox.clock import Clock
from sealbox.settings import Settings

VIEWED = AuditAction.REPORT_VIEWED
ALERT = AuditAction.BULK_ACCESS_ALERT


def note_report_access(
    session: Session, clock: Clock, settings: Settings, username: str, report_id: str
) -> bool:
    """Record that `username` opened `report_id`, and raise the bulk-access alert if due.

    Called in the transaction that shows a report to a staff member (the report page of
    `Reports`), in place of recording "report_viewed" alone. When the member has opened more
    than `settings.bulk_access_threshold` distinct reports within `settings.bulk_access_minutes`,
    an alert entry is appended and the auditors are mailed, once per window. Returns True when
    this call raised the alert.
    """
    audit.record(session, clock, username, VIEWED, f"report:{report_id}")
    since = clock.now().replace(microsecond=0) - dt.timedelta(minutes=settings.bulk_access_minutes)
    opened = session.execute(
        select(func.count(func.distinct(AuditEntry.target))).where(
            AuditEntry.actor == username, AuditEntry.action == VIEWED, AuditEntry.at >= since
        )
    ).scalar_one()
    if opened <= settings.bulk_access_threshold:
        return False
    already = session.scalar(
        select(AuditEntry.seq)
        .where(AuditEntry.action == ALERT, AuditEntry.target == f"user:{username}")
        .where(AuditEntry.at >= since)
        .limit(1)
    )
    if already is not None:
        return False
    audit.record(
        session,
        clock,
        audit.SYSTEM,
        ALERT,
        f"user:{username}",
        reports=opened,
        minutes=settings.bulk_access_minutes,
        threshold=settings.bulk_access_threshold,
    )
    notify.bulk_access_alert(session, clock, username, opened, settings.bulk_access_minutes)
    return True
