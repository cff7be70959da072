"""The handler's report page, shown by its own address and again by any of its forms that
was refused: the refusal beside the form, what was typed back in it, so a mistake costs a
correction and not the text (a reply, a note, a reason)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi.responses import Response

from sealbox.errors import BadInput, Conflict, EmptyReport, TooLarge
from sealbox.locale import Message
from sealbox.reports.previews import previewable
from sealbox.reports.report_page import SealedOffline
from sealbox.web.staff import flash
from sealbox.web.staff.pages import Refusal, StaffPage

# Refusals a form on the page answers itself; any other (not yours, no key) keeps its own page.
FORM_REFUSALS = (BadInput, Conflict, EmptyReport, TooLarge)


@dataclass(frozen=True)
class Retry:
    """The form that was refused (its name on the page) and the values sent in it."""

    form: str
    values: dict[str, str] = field(default_factory=dict)


def show(
    page: StaffPage, report_id: str, error: Refusal = None, retry: Retry | None = None
) -> Response:
    """The report page of `report_id` for `page.ctx`; with `error`, the page again at the
    error's status, with the refused form (`retry`) filled in as it was sent."""
    view = page.svc.reports.report_page(page.ctx, report_id)
    if isinstance(view, SealedOffline):
        return page.render("staff/offline.html", {"report_id": report_id})
    status = Message(view.statuses.get(view.conversation.status, view.conversation.status))
    context = {
        "c": view.conversation,
        "report": view.case,
        "acknowledge_by": view.acknowledge_by,
        "feedback_by": view.feedback_by,
        "overdue": view.overdue,
        "labels": view.labels,
        "notes": view.notes,
        "holders": view.holders,
        "candidates": view.candidates,
        "identity": page.svc.disclosures.for_handler(page.ctx, report_id),
        "title": view.title,
        "statuses": view.statuses,
        "outcomes": view.outcomes,
        "notice": None if error else flash.notice(page.request, status=status),
        "retry": retry or Retry(""),
        "previewable": previewable,
    }
    return page.render("staff/report.html", context, error)
