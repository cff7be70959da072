"""The inbox: a handler's reports with due dates, filters, sorting, pages; the overdue view."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from sealbox.accounts import roles
from sealbox.accounts.actor import StaffContext
from sealbox.accounts.roles import Role
from sealbox.reports import inbox, workflow
from sealbox.reports.vocabulary import ReportStatus
from sealbox.services import Services
from sealbox.web.deps import services, templates
from sealbox.web.staff.guards import staff
from sealbox.web.staff.home import render_home
from sealbox.web.templating import Templates

router = APIRouter()


def _filters(request: Request, overdue: bool = False) -> inbox.InboxFilter:
    q = request.query_params
    sort = q.get("sort", "newest")
    return inbox.InboxFilter(
        status=_status(q.get("status", "")),
        channel_id=q.get("channel", "")[:32],
        label=q.get("label", "").strip().lower()[:40],
        overdue=overdue or q.get("overdue") == "1",
        flagged=q.get("flagged") == "1",
        unread=q.get("unread") == "1",
        sort=sort if sort in inbox.SORTS else "newest",
    )


def _status(raw: str) -> ReportStatus | None:
    """The status filter, or none for an empty or unknown one."""
    try:
        return ReportStatus(raw)
    except ValueError:
        return None


def _page(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return int(raw) if raw.isdecimal() and len(raw) < 7 else 1


def _render(request, svc, ctx, tpl, filters: inbox.InboxFilter, view: str) -> Response:
    if ctx.role != Role.HANDLER:
        return render_home(request, svc, tpl, ctx)
    page = svc.reports.inbox(ctx, filters, _page(request))
    context = {
        "quarantined": page.quarantined,
        "quarantine_cap": page.quarantine_cap,
        "ctx": ctx,
        "inbox": page.listing,
        "filters": filters,
        "view": view,
        "channels": page.channels,
        "statuses": workflow.STATUS_NAMES,
        "sorts": inbox.SORTS,
        "today": page.today,
    }
    return tpl.render(request, "staff/inbox.html", context)


@router.get("/")
def inbox_page(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(staff),
    tpl: Templates = Depends(templates),
) -> Response:
    return _render(request, svc, ctx, tpl, _filters(request), "inbox")


@router.get("/overdue")
def overdue_page(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(staff),
    tpl: Templates = Depends(templates),
) -> Response:
    """Reports whose acknowledgement or feedback deadline has passed, most urgent first."""
    roles.require_report_reader(ctx.role)
    filters = _filters(request, overdue=True)
    if "sort" not in request.query_params:
        filters = inbox.InboxFilter(**{**filters.__dict__, "sort": "due"})
    return _render(request, svc, ctx, tpl, filters, "overdue")
