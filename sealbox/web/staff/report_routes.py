"""A handler's report page, replies, file downloads and export bundles."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from sealbox.accounts.actor import StaffContext
from sealbox.locale import N_
from sealbox.reports.report_page import SealedOffline
from sealbox.services import Services
from sealbox.web.deps import services, templates
from sealbox.web.kept_text import TypedField
from sealbox.web.staff import downloads
from sealbox.web.staff.guards import checked_form, handler, keeps_text
from sealbox.web.streaming import produce
from sealbox.web.templating import Templates

router = APIRouter()


@router.get("/reports/{report_id}")
def report_page(
    report_id: str,
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(handler),
    tpl: Templates = Depends(templates),
) -> Response:
    page = svc.reports.report_page(ctx, report_id)
    if isinstance(page, SealedOffline):
        return tpl.render(request, "staff/offline.html", {"ctx": ctx, "report_id": report_id})
    context = {
        "ctx": ctx,
        "c": page.conversation,
        "report": page.case,
        "acknowledge_by": page.acknowledge_by,
        "feedback_by": page.feedback_by,
        "overdue": page.overdue,
        "labels": page.labels,
        "notes": page.notes,
        "holders": page.holders,
        "candidates": page.candidates,
        "identity": svc.disclosures.for_handler(ctx, report_id),
        "title": page.title,
        "statuses": page.statuses,
        "outcomes": page.outcomes,
    }
    return tpl.render(request, "staff/report.html", context)


@router.post(
    "/reports/{report_id}/reply", dependencies=[keeps_text(TypedField("text", N_("Reply")))]
)
def reply(
    report_id: str,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(handler),
    form: dict = Depends(checked_form),
) -> Response:
    svc.reports.reply(ctx, report_id, form.get("text", ""))
    return RedirectResponse(f"/staff/reports/{report_id}#latest", status_code=303)


@router.get("/reports/{report_id}/files/{file_id}")
async def download(
    report_id: str,
    file_id: str,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(handler),
) -> Response:
    # On a worker thread, as a plain route's work is: the event loop must not wait for it.
    file = await run_in_threadpool(svc.reports.download, ctx, report_id, file_id)
    first, rest = await downloads.start_download(file)
    headers = {
        # Never rendered inline: a source's HTML or SVG must not run in a staff browser.
        "content-disposition": f"attachment; filename*=UTF-8''{quote(file.display_name)}",
        "content-length": str(file.size),
    }

    async def body():
        yield first
        async for chunk in rest:
            yield chunk

    return StreamingResponse(body(), media_type="application/octet-stream", headers=headers)


@router.get("/reports/{report_id}/export")
def export_bundle(
    report_id: str,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(handler),
) -> Response:
    bundle = svc.reports.export(ctx, report_id)
    headers = {"content-disposition": f'attachment; filename="{bundle.filename}"'}
    return StreamingResponse(produce(bundle.write), media_type="application/zip", headers=headers)
