"""Who may reach a staff page: FastAPI dependencies shared by every staff router."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from sealbox.accounts import roles
from sealbox.accounts.actor import StaffContext
from sealbox.accounts.roles import Role
from sealbox.errors import Forbidden
from sealbox.locale import N_
from sealbox.services import Services
from sealbox.web import kept_text
from sealbox.web.deps import services
from sealbox.web.forms import is_small_form, same_secret, small_form, small_form_pairs
from sealbox.web.kept_text import KeptForm, TypedField

COOKIE = "sealbox_staff"
SETUP_PAGES = {
    "factor": "/staff/login/factor",
    "totp": "/staff/account/totp",
    "key": "/staff/account/keys",
    "password": "/staff/account/password",
}
SETUP_MESSAGES = {
    "factor": N_(
        "Confirm your login with your security key or code first, at /staff/login/factor."
    ),
    "totp": N_("Set up your authenticator app first, at /staff/account/totp."),
    "key": N_("Register a security key first, at /staff/account/keys."),
    "password": N_("Choose a new password first, at /staff/account/password."),
}


def any_step(request: Request, svc: Services = Depends(services)) -> StaffContext:
    """Any session, even one whose password was right but whose second factor is still due:
    it may only finish the login (or log out)."""
    return svc.accounts.resume(request.cookies.get(COOKIE))


def any_session(ctx: StaffContext = Depends(any_step)) -> StaffContext:
    """A logged-in staff member, even one who still has to finish setting up the account."""
    if ctx.pending == "factor":
        raise Forbidden(SETUP_MESSAGES["factor"])
    return ctx


def factor_step(ctx: StaffContext = Depends(any_step)) -> StaffContext:
    """A session whose password was right and whose second factor is due: nothing else."""
    if ctx.pending != "factor":
        raise Forbidden("This session has no login waiting for its second factor.")
    return ctx


def key_holder(ctx: StaffContext = Depends(any_session)) -> StaffContext:
    """The own security keys page: a complete session, or one that must register a key."""
    if ctx.pending not in (None, "key"):
        raise Forbidden(SETUP_MESSAGES[ctx.pending])
    return ctx


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
    roles.require(ctx.role, Role.ADMIN)
    return ctx


def approver(ctx: StaffContext = Depends(staff)) -> StaffContext:
    """Handlers and custodians: the second person for channel membership and roles."""
    roles.require(ctx.role, Role.HANDLER, Role.CUSTODIAN)
    return ctx


def custodian(ctx: StaffContext = Depends(staff)) -> StaffContext:
    roles.require(ctx.role, Role.CUSTODIAN)
    return ctx


async def checked_form(request: Request, ctx: StaffContext = Depends(any_step)) -> dict[str, str]:
    """The posted form, once its CSRF token matches the session's."""
    form = await small_form(request)
    if not ctx.csrf_token or not same_secret(form.get("csrf"), ctx.csrf_token):
        raise Forbidden("This form is out of date. Reload the page and send it again.")
    return form


async def checked_choices(
    request: Request, ctx: StaffContext = Depends(any_step)
) -> dict[str, list[str]]:
    """`checked_form` for forms that repeat a name (many checkboxes): every value of each."""
    pairs = await small_form_pairs(request)
    form: dict[str, list[str]] = {}
    for name, value in pairs:
        form.setdefault(name, []).append(value)
    csrf = form.get("csrf", [])
    if not ctx.csrf_token or len(csrf) != 1 or not same_secret(csrf[0], ctx.csrf_token):
        raise Forbidden("This form is out of date. Reload the page and send it again.")
    return form


def keeps_text(*typed: TypedField) -> Any:
    """For a route's `dependencies`, ahead of its guards: the form someone wrote in is read
    before the session is checked, so that a full disk or a database that does not answer
    (at the session check too) gives it back with the `typed` fields in it. Only a form that
    carries the session's own token is given back: another site's gets nothing."""

    async def keep(request: Request, svc: Services = Depends(services)) -> None:
        expected = svc.accounts.csrf_of(request.cookies.get(COOKIE))
        if expected is None or not is_small_form(request):
            return  # the guards answer it as ever
        pairs = await small_form_pairs(request)
        tokens = [value for name, value in pairs if name == "csrf"]
        if len(tokens) == 1 and same_secret(tokens[0], expected):
            form = KeptForm.of(request.url.path, "staff/layout.html", pairs, typed)
            kept_text.keep(request, form)

    return Depends(keep)
