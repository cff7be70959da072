"""The quarantine triage page: one form with a checkbox per report, "not spam" or "spam"."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sealbox.accounts.actor import StaffContext
from sealbox.errors import BadInput
from sealbox.services import Services
from sealbox.web.deps import services, templates
from sealbox.web.errors import status_of
from sealbox.web.staff.guards import checked_choices, handler
from sealbox.web.templating import Templates

router = APIRouter()


def _number(raw: str | None, default: int = 0) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 7 else default


def _render(
    request: Request,
    svc: Services,
    ctx: StaffContext,
    tpl: Templates,
    chosen: set[str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    q = request.query_params
    channel_id = q.get("channel", "")[:32]
    page = svc.reports.quarantine(ctx, _number(q.get("page"), 1), channel_id)
    if q.get("all") == "1" and chosen is None:
        chosen = {item.report_id for item in page.listing.items}
    context = {
        "ctx": ctx,
        "listing": page.listing,
        "channel_id": channel_id,
        "channels": page.channels,
        "chosen": chosen or set(),
        "error": error,
        "released": _number(q.get("released")),
        "shredded": _number(q.get("shredded")),
        "skipped": _number(q.get("skipped")),
    }
    return tpl.render(request, "staff/quarantine.html", context, status=status)


@router.get("/quarantine")
def quarantine_page(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(handler),
    tpl: Templates = Depends(templates),
) -> Response:
    return _render(request, svc, ctx, tpl)


@router.post("/quarantine")
def triage(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(handler),
    form: dict[str, list[str]] = Depends(checked_choices),
    tpl: Templates = Depends(templates),
) -> Response:
    chosen = form.get("report", [])
    action = form.get("action", [""])[-1]
    try:
        done = svc.reports.triage(ctx, action, chosen, confirmed=form.get("confirm") == ["1"])
    except BadInput as exc:
        return _render(request, svc, ctx, tpl, set(chosen), exc.message, status=status_of(exc))
    outcome = {"released" if action == "release" else "shredded": done.done}
    q = request.query_params
    keep = {"channel": q.get("channel", "")[:32]}
    query = urlencode({k: v for k, v in {**outcome, "skipped": done.skipped, **keep}.items() if v})
    return RedirectResponse(f"/staff/quarantine?{query}", status_code=303)
