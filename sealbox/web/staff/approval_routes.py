"""The second person's pages: handlers approve new handlers of their channels, custodians
approve new custodians (and channel handlers). Plain forms; no JavaScript needed."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sealbox.cases import membership, role_requests, roles
from sealbox.cases.errors import BadInput, SealboxError
from sealbox.cases.staff_sessions import StaffContext
from sealbox.services import Services
from sealbox.web.deps import services, templates
from sealbox.web.staff.guards import approver, checked_form, custodian
from sealbox.web.templating import Templates

router = APIRouter(prefix="/approvals")
DONE = ("approved", "denied")


def _page(request, svc, tpl, ctx, error=None, status=200) -> Response:
    with svc.db.transaction() as session:
        channels = membership.decidable(session, ctx)
        accounts = role_requests.pending(session) if ctx.role == roles.CUSTODIAN else []
    done = request.query_params.get("done")
    context = {
        "ctx": ctx,
        "channel_requests": channels,
        "role_requests": accounts,
        "error": error,
        "done": done if done in DONE else None,
    }
    return tpl.render(request, "staff/approvals.html", context, status=status)


@router.get("")
def approvals(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(approver),
    tpl: Templates = Depends(templates),
) -> Response:
    return _page(request, svc, tpl, ctx)


def _decide(request, svc, tpl, ctx, form, decide, request_id: str, approve: bool) -> Response:
    try:
        if approve and form.get("compared") != "1":
            raise BadInput(
                "Compare the key fingerprint with the person first (in person or by phone), "
                "then tick the box."
            )
        with svc.db.transaction() as session:
            decide(session, svc.clock, ctx, request_id, approve)
    except SealboxError as exc:
        return _page(request, svc, tpl, ctx, exc.message, exc.status)
    verdict = "approved" if approve else "denied"
    return RedirectResponse(f"/staff/approvals?done={verdict}", status_code=303)


@router.post("/channels/{request_id}/approve")
def approve_handler(
    request_id: str,
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(approver),
    form: dict = Depends(checked_form),
    tpl: Templates = Depends(templates),
) -> Response:
    return _decide(request, svc, tpl, ctx, form, membership.decide, request_id, True)


@router.post("/channels/{request_id}/deny")
def deny_handler(
    request_id: str,
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(approver),
    form: dict = Depends(checked_form),
    tpl: Templates = Depends(templates),
) -> Response:
    return _decide(request, svc, tpl, ctx, form, membership.decide, request_id, False)


@router.post("/roles/{request_id}/approve")
def approve_role(
    request_id: str,
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(custodian),
    form: dict = Depends(checked_form),
    tpl: Templates = Depends(templates),
) -> Response:
    return _decide(request, svc, tpl, ctx, form, role_requests.decide, request_id, True)


@router.post("/roles/{request_id}/deny")
def deny_role(
    request_id: str,
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(custodian),
    form: dict = Depends(checked_form),
    tpl: Templates = Depends(templates),
) -> Response:
    return _decide(request, svc, tpl, ctx, form, role_requests.decide, request_id, False)
