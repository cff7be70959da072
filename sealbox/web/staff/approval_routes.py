"""The second person's pages: handlers approve new handlers of their channels, custodians
approve new custodians (and channel handlers). Plain forms; no JavaScript needed."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from sealbox.errors import BadInput, Conflict, SealboxError
from sealbox.web.staff.pages import Approver, Custodian, Form, StaffPage, fields

router = APIRouter(prefix="/approvals")
DONE = ("approved", "denied")


def _page(page: StaffPage, error: SealboxError | None = None) -> Response:
    done = page.request.query_params.get("done")
    waiting = page.svc.accounts.approvals(page.ctx)
    context = {**fields(waiting), "done": done if done in DONE else None}
    return page.render("staff/approvals.html", context, error)


@router.get("")
def approvals(page: Approver) -> Response:
    return _page(page)


def _decide(page: StaffPage, form: dict, decide: Callable, request_id: str, approve: bool):
    try:
        decide(page.ctx, request_id, approve, form.get("compared") == "1")
    except (BadInput, Conflict) as exc:
        # Someone allowed to decide who made a slip (or came too late): the page says so.
        # A refusal (Forbidden, NotFound) goes to the error page like any other.
        return _page(page, exc)
    verdict = "approved" if approve else "denied"
    return RedirectResponse(f"/staff/approvals?done={verdict}", status_code=303)


@router.post("/channels/{membership_id}/approve")
def approve_handler(membership_id: str, page: Approver, form: Form) -> Response:
    return _decide(page, form, page.svc.channels.decide, membership_id, True)


@router.post("/channels/{membership_id}/deny")
def deny_handler(membership_id: str, page: Approver, form: Form) -> Response:
    return _decide(page, form, page.svc.channels.decide, membership_id, False)


@router.post("/roles/{role_request_id}/approve")
def approve_role(role_request_id: str, page: Custodian, form: Form) -> Response:
    return _decide(page, form, page.svc.accounts.decide_role, role_request_id, True)


@router.post("/roles/{role_request_id}/deny")
def deny_role(role_request_id: str, page: Custodian, form: Form) -> Response:
    return _decide(page, form, page.svc.accounts.decide_role, role_request_id, False)
