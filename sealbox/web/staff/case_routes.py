"""Working a case from its page: status, labels, flag, legal hold, notes, handlers, and the
request to learn the reporter's identity. Each action is audited by its service; a refused
one shows the report page again with the refusal beside its form and what was typed in it,
and a save is confirmed on the page the redirect leads to (`flash`)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from sealbox.locale import N_
from sealbox.web.kept_text import TypedField
from sealbox.web.staff import flash, report_view
from sealbox.web.staff.guards import keeps_text
from sealbox.web.staff.pages import Form, Handler
from sealbox.web.staff.report_view import FORM_REFUSALS, Retry

router = APIRouter()
DISCLOSURE_REASON = TypedField(
    "reason", N_("Why do you need the identity? (kept on record, read by a custodian)")
)


def _save(
    page: Handler, report_id: str, form: dict[str, str], name: str, code: str, act: Callable, *args
) -> Response:
    """`act(actor, report_id, *args)`, confirmed by `code` on the next page; on a refusal, the
    report page again with form `name` as it was sent."""
    try:
        act(page.ctx, report_id, *args)
    except FORM_REFUSALS as exc:
        values = {key: value for key, value in form.items() if key != "csrf"}
        return report_view.show(page, report_id, exc, Retry(name, values))
    return flash.redirect(page.request, f"/staff/reports/{report_id}", code)


@router.post("/reports/{report_id}/status")
def set_status(report_id: str, page: Handler, form: Form) -> Response:
    status, outcome = form.get("status", ""), form.get("outcome", "")
    act = page.svc.reports.set_status
    return _save(page, report_id, form, "status", "status", act, status, outcome)


@router.post(
    "/reports/{report_id}/labels",
    dependencies=[keeps_text(TypedField("labels", N_("Labels (comma-separated)"), long=False))],
)
def set_labels(report_id: str, page: Handler, form: Form) -> Response:
    act, labels = page.svc.reports.set_labels, form.get("labels", "")
    return _save(page, report_id, form, "labels", "labels", act, labels)


@router.post(
    "/reports/{report_id}/title",
    dependencies=[keeps_text(TypedField("title", N_("Title (sealed)"), long=False))],
)
def set_title(report_id: str, page: Handler, form: Form) -> Response:
    act, title = page.svc.reports.set_title, form.get("title", "")
    return _save(page, report_id, form, "title", "title", act, title)


@router.post("/reports/{report_id}/flag")
def set_flag(report_id: str, page: Handler, form: Form) -> Response:
    on = form.get("flagged") == "1"
    code = "flagged" if on else "unflagged"
    return _save(page, report_id, form, "flag", code, page.svc.reports.set_flag, on)


@router.post("/reports/{report_id}/legal-hold")
def set_legal_hold(report_id: str, page: Handler, form: Form) -> Response:
    on = form.get("hold") == "1"
    code = "held" if on else "released"
    return _save(page, report_id, form, "hold", code, page.svc.reports.set_legal_hold, on)


@router.post(
    "/reports/{report_id}/notes", dependencies=[keeps_text(TypedField("text", N_("New note")))]
)
def add_note(report_id: str, page: Handler, form: Form) -> Response:
    act, text = page.svc.reports.add_note, form.get("text", "")
    return _save(page, report_id, form, "note", "note", act, text)


@router.post("/reports/{report_id}/handlers")
def add_handler(report_id: str, page: Handler, form: Form) -> Response:
    act, user_id = page.svc.reports.add_handler, form.get("user_id", "")
    return _save(page, report_id, form, "handlers", "handler_added", act, user_id)


@router.post("/reports/{report_id}/handlers/remove")
def remove_handler(report_id: str, page: Handler, form: Form) -> Response:
    act, user_id = page.svc.reports.remove_handler, form.get("user_id", "")
    answer = _save(page, report_id, form, "handlers", "handler_removed", act, user_id)
    if user_id == page.ctx.user_id and isinstance(answer, RedirectResponse):
        # The report is no longer theirs to see.
        return RedirectResponse(page.local("/staff/"), status_code=303)
    return answer


@router.post("/reports/{report_id}/disclosure", dependencies=[keeps_text(DISCLOSURE_REASON)])
def request_disclosure(report_id: str, page: Handler, form: Form) -> Response:
    act, reason = page.svc.disclosures.request, form.get("reason", "")
    return _save(page, report_id, form, "identity", "disclosure", act, reason)
