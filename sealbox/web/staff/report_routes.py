"""A handler's report page, replies, file downloads and export bundles."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from sealbox.accounts.actor import StaffContext
from sealbox.errors import TooLarge
from sealbox.locale import N_
from sealbox.reports.previews import CannotPreview
from sealbox.services import Services
from sealbox.web.deps import services
from sealbox.web.kept_text import TypedField
from sealbox.web.security import SEALED_OFF
from sealbox.web.staff import downloads, flash, report_view
from sealbox.web.staff.guards import handler, keeps_text
from sealbox.web.staff.pages import Form, Handler
from sealbox.web.staff.report_view import FORM_REFUSALS, Retry
from sealbox.web.streaming import produce

router = APIRouter()


@router.get("/reports/{report_id}")
def report_page(report_id: str, page: Handler) -> Response:
    return report_view.show(page, report_id)


@router.post(
    "/reports/{report_id}/reply", dependencies=[keeps_text(TypedField("text", N_("Reply")))]
)
def reply(report_id: str, page: Handler, form: Form) -> Response:
    text, feedback = form.get("text", ""), form.get("feedback") == "1"
    try:
        page.svc.reports.reply(page.ctx, report_id, text, feedback)
    except FORM_REFUSALS as exc:
        retry = Retry("reply", {"text": text, "feedback": "1" if feedback else ""})
        return report_view.show(page, report_id, exc, retry)
    code = "feedback" if feedback else "reply"
    return flash.redirect(page.request, f"/staff/reports/{report_id}", code)


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


@router.get("/reports/{report_id}/files/{file_id}/preview")
def preview(report_id: str, file_id: str, page: Handler) -> Response:
    """The file's pages drawn in the isolated worker, or why it cannot be drawn."""
    context = {"report_id": report_id, "file_id": file_id, "info": None}
    try:
        context["info"] = page.svc.reports.preview_info(page.ctx, report_id, file_id)
    except (CannotPreview, TooLarge) as exc:
        return page.render("staff/preview.html", context, exc)
    return page.render("staff/preview.html", context)


@router.get("/reports/{report_id}/files/{file_id}/preview/{number}.png")
def preview_page(report_id: str, file_id: str, number: int, page: Handler) -> Response:
    png = page.svc.reports.preview_page(page.ctx, report_id, file_id, number)
    headers = {
        "content-disposition": f'inline; filename="page-{number}.png"',
        "content-security-policy": SEALED_OFF,
    }
    return Response(png, media_type="image/png", headers=headers)


@router.get("/reports/{report_id}/export")
def export_bundle(
    report_id: str,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(handler),
) -> Response:
    bundle = svc.reports.export(ctx, report_id)
    headers = {"content-disposition": f'attachment; filename="{bundle.filename}"'}
    return StreamingResponse(produce(bundle.write), media_type="application/zip", headers=headers)
