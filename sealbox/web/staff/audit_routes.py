"""The auditor's pages: the audit log with filters, verification, a JSON Lines download and the
signed head (an anchor) to keep.

Only the auditor role gets here; every other role is refused (403).
"""

from __future__ import annotations

import datetime as dt
import io

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from sealbox.accounts import roles
from sealbox.accounts.actor import StaffContext
from sealbox.accounts.roles import Role
from sealbox.audit import anchor, search
from sealbox.errors import BadInput, Conflict
from sealbox.locale import N_
from sealbox.services import Services
from sealbox.web.deps import services, templates
from sealbox.web.staff.guards import staff
from sealbox.web.templating import Templates

router = APIRouter()


def auditor(ctx: StaffContext = Depends(staff)) -> StaffContext:
    roles.require(ctx.role, Role.AUDITOR)
    return ctx


def _day(value: str, refusal: str, refused: list[BadInput]) -> dt.date | None:
    """The date in `value`, if any; when it is not one, None and BadInput(`refusal`) noted in
    `refused`, so the page says so beside the filters instead of ending on an error page."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        refused.append(BadInput(refusal))
        return None


@router.get("/audit")
def audit_log(
    request: Request,
    actor: str = "",
    action: str = "",
    target: str = "",
    since: str = "",
    until: str = "",
    page: int = 1,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(auditor),
    tpl: Templates = Depends(templates),
) -> Response:
    refused: list[BadInput] = []
    filters = search.Filters(
        actor=actor.strip()[:64],
        action=action.strip()[:64],
        target=target.strip()[:128],
        since=_day(since.strip(), N_("The “from” date must look like 2025-01-31."), refused),
        until=_day(until.strip(), N_("The “to” date must look like 2025-01-31."), refused),
    )
    listing = svc.audit_trail.search(ctx, filters, page)
    context = {
        "ctx": ctx,
        "log": listing.log,
        "filters": filters,
        "actions": listing.actions,
        # What was typed in the date fields, given back as it was.
        "typed": {"since": since.strip()[:32], "until": until.strip()[:32]},
        "error": refused[0].message if refused else None,
    }
    status = 400 if refused else 200
    return tpl.render(request, "staff/audit_log.html", context, status=status)


@router.get("/audit/verify")
def audit_verify(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(auditor),
    tpl: Templates = Depends(templates),
) -> Response:
    checked = svc.audit_trail.verify(ctx)
    context = {"ctx": ctx, "verdict": checked.verdict, "anchor_problem": checked.anchor_problem}
    return tpl.render(request, "staff/audit_verify.html", context)


@router.get("/audit/anchor")
def audit_anchor(
    svc: Services = Depends(services), ctx: StaffContext = Depends(auditor)
) -> Response:
    """The log's head, verified and signed now, as a file for the auditor to keep elsewhere."""
    try:
        signed = svc.audit_trail.sign_anchor(ctx)
    except (anchor.LogBroken, anchor.BadAnchor):
        raise Conflict(
            "The audit log failed verification, so no anchor was signed. "
            "Open the verification page to see where."
        ) from None
    headers = {
        "content-disposition": f'attachment; filename="sealbox-audit-anchor-{signed.seq}.json"'
    }
    return Response(signed.to_text(), media_type="application/json", headers=headers)


@router.get("/audit/export")
def audit_export(
    svc: Services = Depends(services), ctx: StaffContext = Depends(auditor)
) -> Response:
    sink = io.StringIO()
    svc.audit_trail.export(ctx, sink)
    day = svc.clock.today().isoformat()
    headers = {"content-disposition": f'attachment; filename="sealbox-audit-{day}.jsonl"'}
    return Response(sink.getvalue(), media_type="application/x-ndjson", headers=headers)
