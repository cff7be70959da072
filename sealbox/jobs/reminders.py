"""Job: remind handlers of the Directive's deadlines (EU 2019/1937, art. 9).

The running deadline of each report (acknowledge within 7 days, then feedback within 3 months) is
kept in `Report.due_on` by sealbox.reports.deadlines. Each handler gets at most one mail a day,
with counts only.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from sealbox import notify
from sealbox.accounts.models import User
from sealbox.accounts.roles import Role
from sealbox.reports.models import Report, ReportKey
from sealbox.reports.vocabulary import ReportStatus
from sealbox.services import Services

NAME = "reminders"
INTERVAL = "job_reminders_seconds"


def counts(session: Session, user_id: str, today: dt.date, days_ahead: int) -> tuple[int, int]:
    """(due soon, overdue) among the open reports whose key is wrapped to `user_id`."""

    def count(*conditions) -> int:
        query = (
            select(func.count())
            .select_from(Report)
            .join(ReportKey, and_(ReportKey.report_id == Report.id, ReportKey.user_id == user_id))
            .where(Report.status != ReportStatus.CLOSED, Report.due_on.is_not(None), *conditions)
            # Quarantined reports are counted in the daily new-report mail instead.
            .where(Report.quarantined.is_(False))
        )
        return session.scalar(query) or 0

    overdue = count(Report.due_on < today)
    soon = count(Report.due_on >= today, Report.due_on <= today + dt.timedelta(days=days_ahead))
    return soon, overdue


def run(services: Services) -> str:
    today = services.clock.today()
    ahead = services.settings.reminder_days_ahead
    queued = 0
    with services.db.transaction() as session:
        handlers = session.scalars(
            select(User).where(User.role == Role.HANDLER, User.active, User.email.is_not(None))
        ).all()
        for user in handlers:
            soon, overdue = counts(session, user.id, today, ahead)
            queued += notify.deadline_reminder(session, services.clock, user, soon, overdue, ahead)
    return f"queued {queued} reminder(s)"
