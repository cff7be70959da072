"""The Directive's deadlines: 7 days to acknowledge, 3 calendar months to give feedback."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sealbox.reports import deadlines
from sealbox.reports.models import Report


def test_three_months_ends_on_the_last_day_of_a_shorter_month():
    assert deadlines.add_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 28)
    assert deadlines.add_months(dt.date(2023, 11, 30), 3) == dt.date(2024, 2, 29)
    assert deadlines.add_months(dt.date(2025, 1, 31), 3) == dt.date(2025, 4, 30)
    assert deadlines.add_months(dt.date(2025, 10, 15), 3) == dt.date(2026, 1, 15)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_feedback_is_due_between_89_and_92_days_later(day):
    due = deadlines.add_months(day, 3)
    assert 89 <= (due - day).days <= 92


def test_next_due_follows_the_case():
    report = Report(received_on=dt.date(2025, 3, 1), status="new")
    assert deadlines.next_due(report) == dt.date(2025, 3, 8)
    report.status, report.acknowledged_on = "acknowledged", dt.date(2025, 3, 5)
    assert deadlines.next_due(report) == dt.date(2025, 6, 5)
    report.feedback_on = dt.date(2025, 4, 1)
    assert deadlines.next_due(report) is None
    report.feedback_on, report.status = None, "closed"
    assert deadlines.next_due(report) is None
