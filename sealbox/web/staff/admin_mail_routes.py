"""The admin's mail page: is mail configured, what waits, what failed and why; retry, test."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sealbox.accounts.actor import StaffContext
from sealbox.locale import N_
from sealbox.services import Services
from sealbox.web.deps import services, templates
from sealbox.web.kept_text import TypedField
from sealbox.web.staff.guards import admin, checked_form, keeps_text
from sealbox.web.templating import Templates

router = APIRouter()


@router.get("/admin/mail")
def mail_page(
    request: Request,
    notice: str = "",
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(admin),
    tpl: Templates = Depends(templates),
) -> Response:
    context = {"ctx": ctx, "mail": svc.mail.overview(ctx), "notice": notice}
    return tpl.render(request, "staff/mail_queue.html", context)


@router.post("/admin/mail/{mail_id}/retry")
def retry(
    mail_id: str,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(admin),
    form: dict = Depends(checked_form),
) -> Response:
    svc.mail.retry(ctx, mail_id)
    return RedirectResponse("/staff/admin/mail?notice=retry", status_code=303)


@router.post("/admin/mail/send")
def send_now(
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(admin),
    form: dict = Depends(checked_form),
) -> Response:
    svc.mail.send_now(ctx)
    return RedirectResponse("/staff/admin/mail?notice=sent", status_code=303)


@router.post(
    "/admin/mail/test",
    dependencies=[keeps_text(TypedField("address", N_("Address"), long=False))],
)
def send_test(
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(admin),
    form: dict = Depends(checked_form),
) -> Response:
    svc.mail.send_test(ctx, form.get("address", ""))
    return RedirectResponse("/staff/admin/mail?notice=queued", status_code=303)
