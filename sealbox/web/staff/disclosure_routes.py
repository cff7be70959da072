"""Custodian pages: identity-disclosure requests, the identity they concern, the decision."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sealbox.accounts.actor import StaffContext
from sealbox.locale import N_
from sealbox.services import Services
from sealbox.web.deps import services, templates
from sealbox.web.kept_text import TypedField
from sealbox.web.staff.guards import checked_form, custodian, keeps_text
from sealbox.web.templating import Templates

router = APIRouter(prefix="/disclosures")
APPROVAL_NOTE = TypedField("reason", N_("Note for the handler (optional)"))
DENIAL_REASON = TypedField("reason", N_("Why you deny it (required, at least 20 characters)"))


@router.get("")
def queue(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(custodian),
    tpl: Templates = Depends(templates),
) -> Response:
    listing = svc.disclosures.queue(ctx)
    context = {
        "ctx": ctx,
        "pending": listing.pending,
        "decided": listing.decided,
        "unshared": listing.unshared,
    }
    return tpl.render(request, "staff/disclosures.html", context)


@router.post("/share")
def share_keys(
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(custodian),
    form: dict = Depends(checked_form),
) -> Response:
    """Pass identity keys on to custodians added after the reports arrived."""
    svc.disclosures.share_keys(ctx)
    return RedirectResponse("/staff/disclosures", status_code=303)


@router.get("/{request_id}")
def request_page(
    request_id: str,
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(custodian),
    tpl: Templates = Depends(templates),
) -> Response:
    opened = svc.disclosures.open_request(ctx, request_id)
    context = {"ctx": ctx, "r": opened.request, "details": opened.details}
    return tpl.render(request, "staff/disclosure.html", context)


@router.post("/{request_id}/approve", dependencies=[keeps_text(APPROVAL_NOTE)])
def approve(
    request_id: str,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(custodian),
    form: dict = Depends(checked_form),
) -> Response:
    svc.disclosures.approve(ctx, request_id, form.get("reason", ""))
    return RedirectResponse("/staff/disclosures", status_code=303)


@router.post("/{request_id}/deny", dependencies=[keeps_text(DENIAL_REASON)])
def deny(
    request_id: str,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(custodian),
    form: dict = Depends(checked_form),
) -> Response:
    svc.disclosures.deny(ctx, request_id, form.get("reason", ""))
    return RedirectResponse("/staff/disclosures", status_code=303)
