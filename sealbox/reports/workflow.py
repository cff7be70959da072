"""Working a case: status (new -> acknowledged -> in progress -> closed with an outcome),
labels and a flag. Every change is appended to the audit log in the same transaction."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sealbox import audit
from sealbox.accounts.actor import StaffContext
from sealbox.audit.actions import AuditAction
from sealbox.clock import Clock
from sealbox.errors import BadInput
from sealbox.locale import N_
from sealbox.reports import access, deadlines
from sealbox.reports.models import Report, ReportLabel
from sealbox.reports.vocabulary import ReportStatus

STATUS_NAMES = {
    ReportStatus.NEW: N_("New"),
    ReportStatus.ACKNOWLEDGED: N_("Acknowledged"),
    ReportStatus.IN_PROGRESS: N_("In progress"),
    ReportStatus.CLOSED: N_("Closed"),
}
OUTCOMES = {
    "substantiated": N_("Substantiated: action taken"),
    "not_substantiated": N_("Not substantiated"),
    "referred": N_("Referred to a competent authority"),
    "out_of_scope": N_("Outside this channel's scope"),
    "withdrawn": N_("Withdrawn or no reply from the source"),
}
_LABEL = re.compile(r"^[\w][\w .-]{0,39}$")
MAX_LABELS = 20


def set_status(
    session: Session,
    clock: Clock,
    ctx: StaffContext,
    report_id: str,
    status: str,
    outcome: str = "",
) -> Report:
    """Move a report; closing needs an outcome, and a report cannot go back to "new"."""
    access.require_wrap(session, ctx.user_id, report_id)
    report = session.get_one(Report, report_id, with_for_update=True)
    try:
        status = ReportStatus(status)
    except ValueError:
        raise BadInput(
            "Unknown status “%(status)s”; choose one of %(statuses)s.",
            status=status,
            statuses=", ".join(ReportStatus),
        ) from None
    if status == ReportStatus.NEW and report.status != ReportStatus.NEW:
        raise BadInput("An acknowledged report cannot become new again.")
    if status == ReportStatus.CLOSED and outcome not in OUTCOMES:
        raise BadInput("Choose an outcome to close the report.")
    previous = report.status
    today = clock.today()
    report.status = status
    if status != ReportStatus.NEW and report.acknowledged_on is None:
        report.acknowledged_on = today
    if status == ReportStatus.CLOSED:
        report.outcome = outcome
        report.closed_on = today
        # Telling the source how the case ended is feedback (Directive art. 9(1)(f)).
        report.feedback_on = report.feedback_on or today
    else:
        report.outcome = None
        report.closed_on = None
    deadlines.refresh(report)
    details = {"from": previous, "to": status}
    if status == ReportStatus.CLOSED:
        details["outcome"] = outcome
    audit.record(
        session, clock, ctx.username, AuditAction.REPORT_STATUS, f"report:{report_id}", **details
    )
    return report


def record_reply(session: Session, today: dt.date, report_id: str, feedback: bool) -> None:
    """A staff reply acknowledges a new report; it is the feedback the Directive asks for
    (art. 9(1)(f): what was done or is planned) only when its author says so, so a routine
    question to the source leaves the 3-month clock running."""
    report = session.get_one(Report, report_id, with_for_update=True)
    if report.acknowledged_on is None:
        report.acknowledged_on = today
        if report.status == ReportStatus.NEW:
            report.status = ReportStatus.ACKNOWLEDGED
    if feedback and report.feedback_on is None:
        report.feedback_on = today
    deadlines.refresh(report)


def set_flag(session: Session, clock: Clock, ctx: StaffContext, report_id: str, on: bool) -> None:
    access.require_wrap(session, ctx.user_id, report_id)
    session.get_one(Report, report_id).flagged = on
    audit.record(
        session, clock, ctx.username, AuditAction.REPORT_FLAG, f"report:{report_id}", flagged=on
    )


def labels(session: Session, report_id: str) -> list[str]:
    return list(
        session.scalars(
            select(ReportLabel.label)
            .where(ReportLabel.report_id == report_id)
            .order_by(ReportLabel.label)
        )
    )


def parse_labels(text: str) -> list[str]:
    """Labels from a comma-separated list; BadInput names the first one that is not allowed."""
    result: list[str] = []
    for raw in text.split(","):
        label = " ".join(raw.split()).lower()
        if not label:
            continue
        if not _LABEL.match(label):
            raise BadInput(
                "“%(label)s” cannot be a label: use up to %(max)s letters, digits, spaces, "
                "dots or dashes.",
                label=label[:40],
                max=40,
            )
        if label not in result:
            result.append(label)
    if len(result) > MAX_LABELS:
        raise BadInput("A report can have at most %(max)s labels.", max=MAX_LABELS)
    return result


def set_labels(
    session: Session, clock: Clock, ctx: StaffContext, report_id: str, text: str
) -> list[str]:
    access.require_wrap(session, ctx.user_id, report_id)
    wanted = parse_labels(text)
    current = labels(session, report_id)
    session.execute(delete(ReportLabel).where(ReportLabel.report_id == report_id))
    session.add_all(ReportLabel(report_id=report_id, label=label) for label in wanted)
    added = sorted(set(wanted) - set(current))
    removed = sorted(set(current) - set(wanted))
    audit.record(
        session,
        clock,
        ctx.username,
        AuditAction.REPORT_LABELS,
        f"report:{report_id}",
        added=added,
        removed=removed,
    )
    return wanted


def set_legal_hold(
    session: Session, clock: Clock, ctx: StaffContext, report_id: str, on: bool
) -> None:
    """A legal hold stops retention from deleting the report."""
    access.require_wrap(session, ctx.user_id, report_id)
    session.get_one(Report, report_id).legal_hold = on
    audit.record(
        session, clock, ctx.username, AuditAction.REPORT_LEGAL_HOLD, f"report:{report_id}", hold=on
    )
