"""Deadlines from the EU Whistleblower Directive (2019/1937, art. 9): acknowledge a report
within 7 days of receipt, give the source feedback within 3 months of the acknowledgement."""

from __future__ import annotations

import calendar
import datetime as dt

from sealbox.reports.models import Report
from sealbox.reports.vocabulary import ReportStatus

ACKNOWLEDGE_WITHIN = dt.timedelta(days=7)
FEEDBACK_WITHIN_MONTHS = 3


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the last day of a shorter month (31 Jan -> 30 Apr)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def acknowledge_by(report: Report) -> dt.date:
    return report.received_on + ACKNOWLEDGE_WITHIN


def feedback_by(report: Report) -> dt.date | None:
    if report.acknowledged_on is None:
        return None
    return add_months(report.acknowledged_on, FEEDBACK_WITHIN_MONTHS)


def next_due(report: Report) -> dt.date | None:
    """The deadline running now: acknowledgement, then feedback; none once both are met."""
    if report.status == ReportStatus.CLOSED:
        return None
    if report.acknowledged_on is None:
        return acknowledge_by(report)
    if report.feedback_on is None:
        return feedback_by(report)
    return None


def refresh(report: Report) -> None:
    """Store the running deadline on the row, so the inbox can sort and filter by it."""
    report.due_on = next_due(report)


def initial_due(received_on: dt.date) -> dt.date:
    return received_on + ACKNOWLEDGE_WITHIN
