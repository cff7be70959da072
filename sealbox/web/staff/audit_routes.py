"""The auditor's pages: the audit log with filters, verification and a JSON Lines download.

Only the auditor role gets here; every other role is refused (403).
"""

from __future__ import annotations

import datetime as dt
import io

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from sealbox import audit
from sealbox.audit import export, search, verify
from sealbox.cases import roles
from sealbox.cases.errors import BadInput
from sealbox.cases.staff_sessions import StaffContext
from sealbox.services import Services
from sealbox.web.deps import services, templates
from sealbox.web.staff.guards import staff
from sealbox.web.templating import Templates

router = APIRouter()
PAGE_SIZE = 100


def auditor(ctx: StaffContext = Depends(staff)) -> StaffContext:
    roles.require(ctx.role, roles.AUDITOR)
    return ctx


def _day(value: str, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"The {name} date must look like 2025-01-31.") from None


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
    filters = search.Filters(
        actor=actor.strip()[:64],
        action=action.strip()[:64],
        target=target.strip()[:128],
        since=_day(since.strip(), "“from”"),
        until=_day(until.strip(), "“to”"),
    )
    with svc.db.transaction() as session:
        listing = search.search(session, filters, page, PAGE_SIZE)
        actions = search.actions(session)
    context = {"ctx": ctx, "log": listing, "filters": filters, "actions": actions}
    return tpl.render(request, "staff/audit_log.html", context)


@router.get("/audit/verify")
def audit_verify(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(auditor),
    tpl: Templates = Depends(templates),
) -> Response:
    with svc.db.transaction() as session:
        verdict = verify.verify(session)
    with svc.db.transaction() as session:
        audit.record(
            session, svc.clock, ctx.username, "audit_verified", None, intact=verdict.intact
        )
    return tpl.render(request, "staff/audit_verify.html", {"ctx": ctx, "verdict": verdict})


@router.get("/audit/export")
def audit_export(
    svc: Services = Depends(services), ctx: StaffContext = Depends(auditor)
) -> Response:
    with svc.db.transaction() as session:
        audit.record(session, svc.clock, ctx.username, "audit_exported", None)
    sink = io.StringIO()
    with svc.db.transaction() as session:
        export.write_jsonl(session, sink)
    day = svc.clock.today().isoformat()
    headers = {"content-disposition": f'attachment; filename="sealbox-audit-{day}.jsonl"'}
    return Response(sink.getvalue(), media_type="application/x-ndjson", headers=headers)
