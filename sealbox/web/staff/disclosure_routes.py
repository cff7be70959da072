"""Custodian pages: identity-disclosure requests, the identity they concern, the decision."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sealbox.accounts.actor import StaffContext
from sealbox.disclosure import custody, disclosure
from sealbox.services import Services
from sealbox.web.deps import services, templates
from sealbox.web.staff.guards import checked_form, custodian
from sealbox.web.templating import Templates

router = APIRouter(prefix="/disclosures")


@router.get("")
def queue(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(custodian),
    tpl: Templates = Depends(templates),
) -> Response:
    with svc.db.transaction() as session:
        pending = disclosure.queue(session, "pending")
        decided = disclosure.queue(session, "approved") + disclosure.queue(session, "denied")
        unshared = custody.missing_count(session)
    decided.sort(key=lambda r: (r.decided_on, r.id), reverse=True)
    context = {"ctx": ctx, "pending": pending, "decided": decided, "unshared": unshared}
    return tpl.render(request, "staff/disclosures.html", context)


@router.post("/share")
def share_keys(
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(custodian),
    form: dict = Depends(checked_form),
) -> Response:
    """Pass identity keys on to custodians added after the reports arrived."""
    with svc.db.transaction() as session:
        custody.share(session, svc.clock, ctx)
    return RedirectResponse("/staff/disclosures", status_code=303)


@router.get("/{request_id}")
def request_page(
    request_id: str,
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(custodian),
    tpl: Templates = Depends(templates),
) -> Response:
    with svc.db.transaction() as session:
        item, details = disclosure.open_request(session, svc.clock, ctx, request_id)
    context = {"ctx": ctx, "r": item, "details": details}
    return tpl.render(request, "staff/disclosure.html", context)


@router.post("/{request_id}/approve")
def approve(
    request_id: str,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(custodian),
    form: dict = Depends(checked_form),
) -> Response:
    with svc.db.transaction() as session:
        disclosure.decide(session, svc.clock, ctx, request_id, True, form.get("reason", ""))
    return RedirectResponse("/staff/disclosures", status_code=303)


@router.post("/{request_id}/deny")
def deny(
    request_id: str,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(custodian),
    form: dict = Depends(checked_form),
) -> Response:
    with svc.db.transaction() as session:
        disclosure.decide(session, svc.clock, ctx, request_id, False, form.get("reason", ""))
    return RedirectResponse("/staff/disclosures", status_code=303)
