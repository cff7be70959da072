"""Job: remind handlers of the Directive's deadlines (EU 2019/1937, art. 9).

Acknowledge within 7 days of receipt; give feedback within 3 months of the acknowledgement.
Each handler gets at most one mail a day, with counts only.
"""

from __future__ import annotations

import calendar
import datetime as dt

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from sealbox import notify
from sealbox.services import Services
from sealbox.store.models import Report, ReportKey, User

NAME = "reminders"
INTERVAL = "job_reminders_seconds"
ACKNOWLEDGE_DAYS = 7
FEEDBACK_MONTHS = 3


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier, clamped to the month's end."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def _deadline_passed_by(day: dt.date):
    """Reports open with a legal deadline on or before `day`."""
    ack_by = day - dt.timedelta(days=ACKNOWLEDGE_DAYS)
    feedback_by = months_before(day, FEEDBACK_MONTHS)
    return and_(
        Report.status != "closed",
        or_(
            and_(Report.acknowledged_on.is_(None), Report.received_on <= ack_by),
            and_(
                Report.acknowledged_on.is_not(None),
                Report.feedback_on.is_(None),
                Report.acknowledged_on <= feedback_by,
            ),
        ),
    )


def counts(session: Session, user_id: str, today: dt.date, days_ahead: int) -> tuple[int, int]:
    """(due soon, overdue) among the reports whose key is wrapped to `user_id`."""

    def count(condition) -> int:
        query = (
            select(func.count())
            .select_from(Report)
            .join(ReportKey, and_(ReportKey.report_id == Report.id, ReportKey.user_id == user_id))
            .where(condition)
        )
        return session.scalar(query) or 0

    overdue = count(_deadline_passed_by(today - dt.timedelta(days=1)))
    soon = count(_deadline_passed_by(today + dt.timedelta(days=days_ahead))) - overdue
    return soon, overdue


def run(services: Services) -> str:
    today = services.clock.today()
    ahead = services.settings.reminder_days_ahead
    sent = 0
    with services.db.transaction() as session:
        handlers = session.scalars(
            select(User).where(User.role == "handler", User.active, User.email.is_not(None))
        ).all()
        for user in handlers:
            soon, overdue = counts(session, user.id, today, ahead)
            sent += notify.deadline_reminder(session, services.clock, user, soon, overdue, ahead)
    return f"queued {sent} reminder(s)"
