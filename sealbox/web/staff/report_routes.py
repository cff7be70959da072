"""A handler's report page, replies, file downloads and export bundles."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from sealbox import audit
from sealbox.accounts.actor import StaffContext
from sealbox.disclosure import disclosure
from sealbox.errors import Forbidden
from sealbox.locale import N_
from sealbox.reports import assignment, deadlines, dialog, export, inbox, intake, notes, workflow
from sealbox.reports.models import Report
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
    with svc.db.transaction() as session:
        wrap = inbox.report_key(session, ctx.user_id, report_id)
        if ctx.identity is None:
            audit.record(
                session, svc.clock, ctx.username, "report_offline_notice", f"report:{report_id}"
            )
            return tpl.render(request, "staff/offline.html", {"ctx": ctx, "report_id": report_id})
        report_identity = export.open_wrap(wrap, ctx.identity)
        conversation = dialog.conversation(session, report_id, report_identity, True)
        report = session.get(Report, report_id)
        context = {
            "ctx": ctx,
            "c": conversation,
            "report": report,
            "acknowledge_by": deadlines.acknowledge_by(report),
            "feedback_by": deadlines.feedback_by(report),
            "overdue": report.due_on is not None and report.due_on < svc.clock.today(),
            "labels": workflow.labels(session, report_id),
            "notes": notes.notes(session, report_id, ctx.user_id, ctx.identity),
            "holders": assignment.holders(session, report_id),
            "candidates": assignment.candidates(session, report_id),
            "identity": disclosure.for_handler(session, ctx, report_id),
            "statuses": workflow.STATUS_NAMES,
            "outcomes": workflow.OUTCOMES,
        }
        inbox.mark_read(session, ctx.user_id, report_id)
        # Audited as "report_viewed"; also raises the bulk-access alert when due.
        audit.note_report_access(session, svc.clock, svc.settings, ctx.username, report_id)
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
    with svc.db.transaction() as session:
        inbox.report_key(session, ctx.user_id, report_id)
        public_key = export.report_public_key(session, report_id)
    draft = intake.Draft.for_report(svc, public_key)

    def bookkeeping(session) -> None:
        workflow.record_reply(session, svc.clock.today(), report_id)
        audit.record(session, svc.clock, ctx.username, "reply_sent", f"report:{report_id}")

    intake.follow_up(
        svc, draft, report_id, "staff", ctx.user_id, form.get("text", ""), also=bookkeeping
    )
    return RedirectResponse(f"/staff/reports/{report_id}#latest", status_code=303)


@router.get("/reports/{report_id}/files/{file_id}")
async def download(
    report_id: str,
    file_id: str,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(handler),
) -> Response:
    with svc.db.transaction() as session:
        wrap = inbox.report_key(session, ctx.user_id, report_id)
        if ctx.identity is None:
            raise Forbidden("This report is sealed for offline reading: download the export.")
        report_identity = export.open_wrap(wrap, ctx.identity)
        blob_id, meta = dialog.file_meta(session, report_id, file_id, report_identity)
        # The report, not the file: naming a source's file would date its upload (it existed
        # by this entry's time), ordering the source's turn among the staff's.
        audit.record(session, svc.clock, ctx.username, "file_downloaded", f"report:{report_id}")
    first, rest = await downloads.start_download(svc, blob_id, report_identity)
    name = quote(meta["display_name"])
    headers = {
        # Never rendered inline: a source's HTML or SVG must not run in a staff browser.
        "content-disposition": f"attachment; filename*=UTF-8''{name}",
        "content-length": str(meta["size"]),
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
    with svc.db.transaction() as session:
        bundle = export.bundle_plan(session, ctx.user_id, report_id)
        audit.record(session, svc.clock, ctx.username, "report_exported", f"report:{report_id}")
    headers = {"content-disposition": f'attachment; filename="report-{report_id[:8]}.sealbox.zip"'}
    return StreamingResponse(
        produce(lambda sink: export.write_bundle(svc, bundle, sink)),
        media_type="application/zip",
        headers=headers,
    )
