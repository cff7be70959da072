"""The staff interface: login with password + TOTP, inbox, report, reply, status, files."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from sealbox.cases import dialog, export, inbox, intake, staff_sessions
from sealbox.cases.errors import Forbidden, NotFound, SealboxError
from sealbox.cases.staff_sessions import StaffContext
from sealbox.services import Services
from sealbox.web.deps import services, templates
from sealbox.web.forms import check_token, form_token, small_form
from sealbox.web.staff import downloads
from sealbox.web.streaming import produce
from sealbox.web.templating import Templates

router = APIRouter()
COOKIE = "sealbox_staff"


def staff(request: Request, svc: Services = Depends(services)) -> StaffContext:
    return staff_sessions.resume(svc, request.cookies.get(COOKIE))


def handler(ctx: StaffContext = Depends(staff)) -> StaffContext:
    """Only handlers work reports; every other role is told the report does not exist."""
    if ctx.role != "handler":
        raise NotFound("This report does not exist or is not yours to read.")
    return ctx


async def checked_form(request: Request, ctx: StaffContext = Depends(staff)) -> dict[str, str]:
    form = await small_form(request)
    if not ctx.csrf_token or form.get("csrf") != ctx.csrf_token:
        raise Forbidden("This form is out of date. Reload the page and send it again.")
    return form


@router.get("/login")
def login_form(
    request: Request, svc: Services = Depends(services), tpl: Templates = Depends(templates)
) -> Response:
    return tpl.render(
        request, "staff/login.html", {"csrf": form_token(svc.secrets.form_key, "staff-login")}
    )


@router.post("/login")
async def login(
    request: Request, svc: Services = Depends(services), tpl: Templates = Depends(templates)
) -> Response:
    form = await small_form(request)
    check_token(svc.secrets.form_key, "staff-login", form.get("csrf", ""))
    try:
        cookie = staff_sessions.log_in(
            svc, form.get("username", ""), form.get("password", ""), form.get("totp", "")
        )
    except SealboxError as exc:
        context = {
            "csrf": form_token(svc.secrets.form_key, "staff-login"),
            "error": exc.message,
            "username": form.get("username", ""),
        }
        return tpl.render(request, "staff/login.html", context, status=exc.status)
    response = RedirectResponse("/staff/", status_code=303)
    response.set_cookie(COOKIE, cookie, httponly=True, samesite="strict", path="/staff")
    return response


@router.post("/logout")
def logout(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(staff),
    form: dict = Depends(checked_form),
    tpl: Templates = Depends(templates),
) -> Response:
    staff_sessions.log_out(svc, ctx, everywhere=form.get("everywhere") == "1")
    response = RedirectResponse("/staff/login", status_code=303)
    response.delete_cookie(COOKIE, path="/staff")
    return response


@router.get("/")
def inbox_page(
    request: Request,
    page: int = 1,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(staff),
    tpl: Templates = Depends(templates),
) -> Response:
    if ctx.role != "handler":
        return tpl.render(request, "staff/home.html", {"ctx": ctx})
    with svc.db.transaction() as session:
        listing = inbox.inbox(session, ctx.user_id, page, svc.settings.inbox_page_size)
    return tpl.render(request, "staff/inbox.html", {"ctx": ctx, "inbox": listing})


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
            return tpl.render(request, "staff/offline.html", {"ctx": ctx, "report_id": report_id})
        identity = export.open_wrap(wrap, ctx.identity)
        conversation = dialog.conversation(session, report_id, identity, show_staff_names=True)
        inbox.mark_read(session, ctx.user_id, report_id)
    context = {"ctx": ctx, "c": conversation, "statuses": inbox.STATUSES}
    return tpl.render(request, "staff/report.html", context)


@router.post("/reports/{report_id}/reply")
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
    intake.follow_up(svc, draft, report_id, "staff", ctx.user_id, form.get("text", ""))
    return RedirectResponse(f"/staff/reports/{report_id}#latest", status_code=303)


@router.post("/reports/{report_id}/status")
def set_status(
    report_id: str,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(handler),
    form: dict = Depends(checked_form),
) -> Response:
    with svc.db.transaction() as session:
        inbox.set_status(session, ctx.user_id, report_id, form.get("status", ""), svc.clock.today())
    return RedirectResponse(f"/staff/reports/{report_id}", status_code=303)


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
        identity = export.open_wrap(wrap, ctx.identity)
        blob_id, meta = dialog.file_meta(session, report_id, file_id, identity)
    first, rest = await downloads.start_download(svc, blob_id, identity)
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
    headers = {"content-disposition": f'attachment; filename="report-{report_id[:8]}.sealbox.zip"'}
    return StreamingResponse(
        produce(lambda sink: export.write_bundle(svc, bundle, sink)),
        media_type="application/zip",
        headers=headers,
    )
