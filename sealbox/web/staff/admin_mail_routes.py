"""The admin's mail page: is mail configured, what waits, what failed and why; retry, test."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sealbox.accounts.actor import StaffContext
from sealbox.errors import SealboxError
from sealbox.locale import N_
from sealbox.notify.mail_config import MailEdit
from sealbox.services import Services
from sealbox.web.deps import services, templates
from sealbox.web.errors import status_of
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


MAIL_SETTINGS = (
    TypedField("mail_from", N_("Send mail from (address)"), long=False),
    TypedField("smtp_host", N_("SMTP server"), long=False),
    TypedField("smtp_port", N_("Port"), long=False),
    TypedField("smtp_username", N_("User name (optional)"), long=False),
)


def _settings_page(
    request: Request, svc: Services, tpl: Templates, ctx: StaffContext, error=None, form=None
) -> Response:
    shown = svc.mail.settings(ctx)
    context = {"ctx": ctx, "config": shown, "form": form, "error": error.message if error else None}
    status = status_of(error) if error else 200
    return tpl.render(request, "staff/mail_settings.html", context, status=status)


@router.get("/admin/mail/settings")
def mail_settings(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(admin),
    tpl: Templates = Depends(templates),
) -> Response:
    return _settings_page(request, svc, tpl, ctx)


@router.post("/admin/mail/settings", dependencies=[keeps_text(*MAIL_SETTINGS)])
def save_mail_settings(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(admin),
    tpl: Templates = Depends(templates),
    form: dict = Depends(checked_form),
) -> Response:
    edit = mail_edit(form)
    try:
        svc.mail.save_settings(ctx, edit)
    except SealboxError as exc:
        # What was typed comes back, the password excepted: it is never shown on a page.
        return _settings_page(request, svc, tpl, ctx, exc, form)
    return RedirectResponse("/staff/admin/mail?notice=settings", status_code=303)


def mail_edit(form: dict) -> MailEdit:
    """The mail settings form's fields (the setup page has the same ones)."""
    return MailEdit(
        mail_from=form.get("mail_from", ""),
        smtp_host=form.get("smtp_host", ""),
        smtp_port=form.get("smtp_port", ""),
        smtp_starttls=form.get("smtp_starttls") == "1",
        smtp_username=form.get("smtp_username", ""),
        smtp_password=form.get("smtp_password", ""),
        forget_password=form.get("forget_password") == "1",
    )
