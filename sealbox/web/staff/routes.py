"""The staff interface: login with password and second factor (a code here, or a security key
on the next page), logout, the home page; the other staff pages live in one router per area
and are included here."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sealbox.accounts import roles, staff_sessions
from sealbox.accounts.actor import StaffContext
from sealbox.errors import SealboxError
from sealbox.services import Services
from sealbox.web.cookies import clear_session_cookie, set_session_cookie
from sealbox.web.deps import lanes, services, templates
from sealbox.web.errors import with_retry_after
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
    report_routes,
    security_key_routes,
)
from sealbox.web.staff.guards import COOKIE, SETUP_PAGES, any_step, checked_form, staff
from sealbox.web.staff.home import render_home
from sealbox.web.templating import Templates

router = APIRouter()

__all__ = ["COOKIE", "router"]


@router.get("/login")
def login_form(
    request: Request, svc: Services = Depends(services), tpl: Templates = Depends(templates)
) -> Response:
    return tpl.render(
        request, "staff/login.html", {"csrf": form_token(svc.secrets.form_key, "staff-login")}
    )


@router.post("/login")
async def login(
    request: Request,
    svc: Services = Depends(services),
    tpl: Templates = Depends(templates),
    lane: Lanes = Depends(lanes),
) -> Response:
    form = await small_form(request)
    check_token(svc.secrets.form_key, "staff-login", form.get("csrf", ""))

    def log_in() -> tuple[str, StaffContext]:
        cookie = staff_sessions.log_in(
            svc,
            form.get("username", ""),
            form.get("password", ""),
            form.get("totp", ""),
            devices.presented(request),
        )
        return cookie, staff_sessions.resume(svc, cookie)

    try:
        # The key derivation waits its turn on a login thread, never on the event loop.
        cookie, ctx = await lane.logins.run(log_in)
    except SealboxError as exc:
        context = {
            "csrf": form_token(svc.secrets.form_key, "staff-login"),
            "error": exc.message,
            "username": form.get("username", ""),
        }
        page = tpl.render(request, "staff/login.html", context, status=exc.status)
        return with_retry_after(page, exc)
    response = RedirectResponse(SETUP_PAGES.get(ctx.pending or "", "/staff/"), status_code=303)
    set_session_cookie(response, request, svc.settings, COOKIE, cookie, "/staff")
    devices.remember(response, request, svc, ctx.user_id, ctx.pending)
    return response


@router.post("/logout")
def logout(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(any_step),
    form: dict = Depends(checked_form),
) -> Response:
    staff_sessions.log_out(svc, ctx, everywhere=form.get("everywhere") == "1")
    response = RedirectResponse("/staff/login", status_code=303)
    clear_session_cookie(response, request, svc.settings, COOKIE, "/staff")
    return response


@router.get("/home")
def home(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(staff),
    tpl: Templates = Depends(templates),
) -> Response:
    """The start page of roles that read no reports (handlers start at the inbox)."""
    if ctx.role == roles.HANDLER:
        return RedirectResponse("/staff/", status_code=303)
    return render_home(request, svc, tpl, ctx)


for area in (
    inbox_routes,
    quarantine_routes,
    report_routes,
    case_routes,
    account_routes,
    admin_routes,
    approval_routes,
    disclosure_routes,
    security_key_routes,
    factor_admin_routes,
):
    router.include_router(area.router)
