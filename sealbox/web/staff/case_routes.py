"""Working a case from its page: status, labels, flag, legal hold, notes, handlers, and the
request to learn the reporter's identity. Each action is audited by its service."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse, Response

from sealbox.accounts.actor import StaffContext
from sealbox.locale import N_
from sealbox.services import Services
from sealbox.web.deps import services
from sealbox.web.kept_text import TypedField
from sealbox.web.staff.guards import checked_form, handler, keeps_text

router = APIRouter()
DISCLOSURE_REASON = TypedField(
    "reason", N_("Why do you need the identity? (kept on record, read by a custodian)")
)


def _back(report_id: str, anchor: str = "") -> Response:
    return RedirectResponse(f"/staff/reports/{report_id}{anchor}", status_code=303)


@router.post("/reports/{report_id}/status")
def set_status(
    report_id: str,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(handler),
    form: dict = Depends(checked_form),
) -> Response:
    svc.reports.set_status(ctx, report_id, form.get("status", ""), form.get("outcome", ""))
    return _back(report_id)


@router.post(
    "/reports/{report_id}/labels",
    dependencies=[keeps_text(TypedField("labels", N_("Labels (comma-separated)"), long=False))],
)
def set_labels(
    report_id: str,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(handler),
    form: dict = Depends(checked_form),
) -> Response:
    svc.reports.set_labels(ctx, report_id, form.get("labels", ""))
    return _back(report_id)


@router.post(
    "/reports/{report_id}/title",
    dependencies=[keeps_text(TypedField("title", N_("Title (sealed)"), long=False))],
)
def set_title(
    report_id: str,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(handler),
    form: dict = Depends(checked_form),
) -> Response:
    svc.reports.set_title(ctx, report_id, form.get("title", ""))
    return _back(report_id)


@router.post("/reports/{report_id}/flag")
def set_flag(
    report_id: str,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(handler),
    form: dict = Depends(checked_form),
) -> Response:
    svc.reports.set_flag(ctx, report_id, form.get("flagged") == "1")
    return _back(report_id)


@router.post("/reports/{report_id}/legal-hold")
def set_legal_hold(
    report_id: str,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(handler),
    form: dict = Depends(checked_form),
) -> Response:
    svc.reports.set_legal_hold(ctx, report_id, form.get("hold") == "1")
    return _back(report_id)


@router.post(
    "/reports/{report_id}/notes", dependencies=[keeps_text(TypedField("text", N_("New note")))]
)
def add_note(
    report_id: str,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(handler),
    form: dict = Depends(checked_form),
) -> Response:
    svc.reports.add_note(ctx, report_id, form.get("text", ""))
    return _back(report_id, "#notes")


@router.post("/reports/{report_id}/handlers")
def add_handler(
    report_id: str,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(handler),
    form: dict = Depends(checked_form),
) -> Response:
    svc.reports.add_handler(ctx, report_id, form.get("user_id", ""))
    return _back(report_id, "#handlers")


@router.post("/reports/{report_id}/handlers/remove")
def remove_handler(
    report_id: str,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(handler),
    form: dict = Depends(checked_form),
) -> Response:
    user_id = form.get("user_id", "")
    svc.reports.remove_handler(ctx, report_id, user_id)
    if user_id == ctx.user_id:
        return RedirectResponse("/staff/", status_code=303)
    return _back(report_id, "#handlers")


@router.post("/reports/{report_id}/disclosure", dependencies=[keeps_text(DISCLOSURE_REASON)])
def request_disclosure(
    report_id: str,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(handler),
    form: dict = Depends(checked_form),
) -> Response:
    svc.disclosures.request(ctx, report_id, form.get("reason", ""))
    return _back(report_id, "#identity")
