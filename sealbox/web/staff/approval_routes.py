"""The second person's pages: handlers approve new handlers of their channels, custodians
approve new custodians (and channel handlers). Plain forms; no JavaScript needed."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sealbox.accounts import role_requests, roles
from sealbox.accounts.actor import StaffContext
from sealbox.channels import membership
from sealbox.errors import BadInput, Conflict
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
        with svc.db.transaction() as session:
            decide(session, svc.clock, ctx, request_id, approve, form.get("compared") == "1")
    except (BadInput, Conflict) as exc:
        # Someone allowed to decide who made a slip (or came too late): the page says so.
        # A refusal (Forbidden, NotFound) goes to the error page like any other.
        return _page(request, svc, tpl, ctx, exc.message, exc.status)
    verdict = "approved" if approve else "denied"
    return RedirectResponse(f"/staff/approvals?done={verdict}", status_code=303)


@router.post("/channels/{membership_id}/approve")
def approve_handler(
    membership_id: str,
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(approver),
    form: dict = Depends(checked_form),
    tpl: Templates = Depends(templates),
) -> Response:
    return _decide(request, svc, tpl, ctx, form, membership.decide, membership_id, True)


@router.post("/channels/{membership_id}/deny")
def deny_handler(
    membership_id: str,
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(approver),
    form: dict = Depends(checked_form),
    tpl: Templates = Depends(templates),
) -> Response:
    return _decide(request, svc, tpl, ctx, form, membership.decide, membership_id, False)


@router.post("/roles/{role_request_id}/approve")
def approve_role(
    role_request_id: str,
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(custodian),
    form: dict = Depends(checked_form),
    tpl: Templates = Depends(templates),
) -> Response:
    return _decide(request, svc, tpl, ctx, form, role_requests.decide, role_request_id, True)


@router.post("/roles/{role_request_id}/deny")
def deny_role(
    role_request_id: str,
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(custodian),
    form: dict = Depends(checked_form),
    tpl: Templates = Depends(templates),
) -> Response:
    return _decide(request, svc, tpl, ctx, form, role_requests.decide, role_request_id, False)
