"""Who may reach a staff page: FastAPI dependencies shared by every staff router."""

from __future__ import annotations

from fastapi import Depends, Request

from sealbox.cases import roles, staff_sessions
from sealbox.cases.errors import Forbidden
from sealbox.cases.staff_sessions import StaffContext
from sealbox.services import Services
from sealbox.web.deps import services
from sealbox.web.forms import same_secret, small_form

COOKIE = "sealbox_staff"
SETUP_PAGES = {"totp": "/staff/account/totp", "password": "/staff/account/password"}
SETUP_MESSAGES = {
    "totp": "Set up your authenticator app first, at /staff/account/totp.",
    "password": "Choose a new password first, at /staff/account/password.",
}


def any_session(request: Request, svc: Services = Depends(services)) -> StaffContext:
    """A logged-in staff member, even one who still has to finish setting up the account."""
    return staff_sessions.resume(svc, request.cookies.get(COOKIE))


def staff(ctx: StaffContext = Depends(any_session)) -> StaffContext:
    """A staff member whose account is set up (TOTP enrolled, first password changed)."""
    if ctx.pending:
        raise Forbidden(SETUP_MESSAGES[ctx.pending])
    return ctx


def handler(ctx: StaffContext = Depends(staff)) -> StaffContext:
    """Report pages: every role but handler is told the report does not exist (404)."""
    roles.require_report_reader(ctx.role)
    return ctx


def admin(ctx: StaffContext = Depends(staff)) -> StaffContext:
    roles.require(ctx.role, roles.ADMIN)
    return ctx


def approver(ctx: StaffContext = Depends(staff)) -> StaffContext:
    """Handlers and custodians: the second person for channel membership and roles."""
    roles.require(ctx.role, roles.HANDLER, roles.CUSTODIAN)
    return ctx


def custodian(ctx: StaffContext = Depends(staff)) -> StaffContext:
    roles.require(ctx.role, roles.CUSTODIAN)
    return ctx


async def checked_form(
    request: Request, ctx: StaffContext = Depends(any_session)
) -> dict[str, str]:
    """The posted form, once its CSRF token matches the session's."""
    form = await small_form(request)
    if not ctx.csrf_token or not same_secret(form.get("csrf"), ctx.csrf_token):
        raise Forbidden("This form is out of date. Reload the page and send it again.")
    return form
