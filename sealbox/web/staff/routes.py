"""The staff interface: login with password and second factor (a code here, or a security key
on the next page), logout, the home page; the other staff pages live in one router per area
and are included here."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sealbox.accounts.actor import StaffContext
from sealbox.accounts.roles import Role
from sealbox.errors import SealboxError
from sealbox.services import Services
from sealbox.web.cookies import clear_session_cookie, set_session_cookie
from sealbox.web.deps import lanes, services, templates
from sealbox.web.errors import status_of, with_retry_after
from sealbox.web.forms import check_token, form_token, small_form
from sealbox.web.lanes import Lanes
from sealbox.web.staff import (
    account_routes,
    admin_routes,
    approval_routes,
    case_routes,
    devices,
    disclosure_routes,
    factor_admin_routes,
    inbox_routes,
    quarantine_routes,
    questionnaire_routes,
    report_routes,
    search_routes,
    security_key_routes,
)
from sealbox.web.staff.guards import COOKIE, SETUP_PAGES, staff
from sealbox.web.staff.home import render_home
from sealbox.web.staff.pages import AnyStep, Form
from sealbox.web.templating import Templates

router = APIRouter()

__all__ = ["COOKIE", "router"]


@router.get("/login")
def login_form(
    request: Request, svc: Services = Depends(services), tpl: Templates = Depends(templates)
) -> Response:
    return tpl.render(
        request,
        "staff/login.html",
        {"csrf": form_token(svc.secrets.form_key, "staff-login", now=svc.clock.timestamp())},
    )


@router.post("/login")
async def login(
    request: Request,
    svc: Services = Depends(services),
    tpl: Templates = Depends(templates),
    lane: Lanes = Depends(lanes),
) -> Response:
    form = await small_form(request)
    check_token(
        svc.secrets.form_key, "staff-login", form.get("csrf", ""), now=svc.clock.timestamp()
    )
    username, password, code = (form.get(k, "") for k in ("username", "password", "totp"))
    device = devices.presented(request)
    try:
        # The key derivation waits its turn on a login thread, never on the event loop.
        done = await lane.logins.run(lambda: svc.accounts.log_in(username, password, code, device))
    except SealboxError as exc:
        context = {
            "csrf": form_token(svc.secrets.form_key, "staff-login", now=svc.clock.timestamp()),
            "error": exc.message,
            "username": username,
        }
        page = tpl.render(request, "staff/login.html", context, status=status_of(exc))
        return with_retry_after(page, exc)
    next_page = SETUP_PAGES.get(done.context.pending or "", "/staff/")
    response = RedirectResponse(next_page, status_code=303)
    set_session_cookie(response, request, svc.settings, COOKIE, done.cookie, "/staff")
    devices.remember(response, request, svc.settings, done.device_mark)
    return response


@router.post("/logout")
def logout(page: AnyStep, form: Form) -> Response:
    page.svc.accounts.log_out(page.ctx, everywhere=form.get("everywhere") == "1")
    response = RedirectResponse("/staff/login", status_code=303)
    clear_session_cookie(response, page.request, page.svc.settings, COOKIE, "/staff")
    return response


@router.get("/home")
def home(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(staff),
    tpl: Templates = Depends(templates),
) -> Response:
    """The start page of roles that read no reports (handlers start at the inbox)."""
    if ctx.role == Role.HANDLER:
        return RedirectResponse("/staff/", status_code=303)
    return render_home(request, svc, tpl, ctx)


for area in (
    inbox_routes,
    quarantine_routes,
    search_routes,
    report_routes,
    case_routes,
    account_routes,
    admin_routes,
    approval_routes,
    disclosure_routes,
    security_key_routes,
    factor_admin_routes,
    questionnaire_routes,
):
    router.include_router(area.router)
