"""What a handler's report page shows, assembled in one transaction: the conversation, the
case (status, deadlines, labels, flag, hold), notes and handlers. The reporter's identity
section is the disclosure service's (`Disclosures.for_handler`), asked for beside it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy.orm import Session

from sealbox.accounts.actor import StaffContext
from sealbox.reports import access, assignment, deadlines, dialog, notes, titles, workflow
from sealbox.reports.assignment import Holder
from sealbox.reports.dialog import Conversation
from sealbox.reports.models import Report
from sealbox.reports.notes import NoteView
from sealbox.reports.vocabulary import ReportStatus


@dataclass(frozen=True)
class Case:
    """The clear facts of a report beside its conversation."""

    flagged: bool
    quarantined: bool
    legal_hold: bool
    outcome: str | None
    feedback_on: dt.date | None
    due_on: dt.date | None
    closed_on: dt.date | None


@dataclass(frozen=True)
class ReportPage:
    conversation: Conversation
    case: Case
    acknowledge_by: dt.date
    feedback_by: dt.date | None
    overdue: bool
    labels: tuple[str, ...]
    notes: tuple[NoteView, ...]
    holders: tuple[Holder, ...]
    candidates: tuple[Holder, ...]
    title: str = ""
    statuses: ClassVar[dict[ReportStatus, str]] = workflow.STATUS_NAMES
    outcomes: ClassVar[dict[str, str]] = workflow.OUTCOMES


@dataclass(frozen=True)
class SealedOffline:
    """The page of a handler whose key is kept offline: only the export opens the report."""

    report_id: str


def assemble(session: Session, ctx: StaffContext, report_id: str, today: dt.date) -> ReportPage:
    """The report page of `ctx`, opened with their key (see `access.open_report_key`)."""
    report_key = access.open_report_key(session, ctx, report_id)
    assert ctx.identity is not None  # the report key opened with it
    conversation = dialog.conversation(session, report_id, report_key, True)
    report = session.get_one(Report, report_id)
    return ReportPage(
        conversation=conversation,
        case=Case(
            flagged=report.flagged,
            quarantined=report.quarantined,
            legal_hold=report.legal_hold,
            outcome=report.outcome,
            feedback_on=report.feedback_on,
            due_on=report.due_on,
            closed_on=report.closed_on,
        ),
        acknowledge_by=deadlines.acknowledge_by(report),
        feedback_by=deadlines.feedback_by(report),
        overdue=report.due_on is not None and report.due_on < today,
        labels=tuple(workflow.labels(session, report_id)),
        notes=tuple(notes.notes(session, report_id, ctx.user_id, ctx.identity)),
        holders=tuple(assignment.holders(session, report_id)),
        candidates=tuple(assignment.candidates(session, report_id)),
        title=titles.title_of(session, report, ctx.user_id, ctx.identity),
    )
