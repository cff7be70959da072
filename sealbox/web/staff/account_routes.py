"""A staff member's own account: enrolment (a fresh authenticator shown as an inline SVG QR
code, no JavaScript; then their own password, under which their key is made), password
change (re-wraps the key), key fingerprint, logout everywhere."""

from __future__ import annotations

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from sealbox.accounts import password_policy, role_requests, staff, staff_sessions, totp
from sealbox.accounts.actor import StaffContext
from sealbox.accounts.models import User
from sealbox.crypto import Recipient
from sealbox.errors import BadInput, SealboxError
from sealbox.services import Services
from sealbox.web.deps import services, templates
from sealbox.web.staff.guards import SETUP_PAGES, any_session, checked_form
from sealbox.web.staff.guards import staff as full_staff
from sealbox.web.templating import Templates

router = APIRouter()


@router.get("/account")
def account_page(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(full_staff),
    tpl: Templates = Depends(templates),
) -> Response:
    with svc.db.transaction() as session:
        user = session.get(User, ctx.user_id)
        fingerprint = Recipient.parse(user.public_key).fingerprint if user.public_key else None
        awaiting = role_requests.pending_role(session, ctx.user_id)
    context = {"ctx": ctx, "fingerprint": fingerprint, "awaiting": awaiting}
    return tpl.render(request, "staff/account.html", context)


def _password_page(request, svc, tpl, ctx, error=None, status=200, form=None) -> Response:
    with svc.db.transaction() as session:
        user = session.get(User, ctx.user_id)
        first_key = staff.needs_key(user)
        may_keep_offline = first_key and user.role == "handler"
    context = {
        "ctx": ctx,
        "error": error,
        "min_length": password_policy.MIN_LENGTH,
        "first_key": first_key,
        "may_keep_offline": may_keep_offline,
        "offline_key": (form or {}).get("offline_key", ""),
    }
    return tpl.render(request, "staff/password.html", context, status=status)


@router.get("/account/password")
def password_form(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(any_session),
    tpl: Templates = Depends(templates),
) -> Response:
    if ctx.pending in ("totp", "key"):
        return RedirectResponse(SETUP_PAGES[ctx.pending], status_code=303)
    return _password_page(request, svc, tpl, ctx)


@router.post("/account/password")
def change_password(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(any_session),
    form: dict = Depends(checked_form),
    tpl: Templates = Depends(templates),
) -> Response:
    try:
        staff_sessions.change_password(
            svc,
            ctx,
            form.get("current", ""),
            form.get("new", ""),
            form.get("confirm", ""),
            form.get("offline_key", ""),
        )
    except SealboxError as exc:
        return _password_page(request, svc, tpl, ctx, exc.message, exc.status, form)
    return RedirectResponse("/staff/account?changed=1", status_code=303)


def _qr_svg(uri: str) -> Markup:
    # segno escapes nothing it does not write itself: the SVG holds only paths.
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", border=2)
    return Markup(svg)  # noqa: S704 - markup made by segno from a URI we built


def _totp_page(request, tpl, ctx, error=None, status=200) -> Response:
    # The secret this session made at login: shown to nobody else, and never again.
    uri = totp.otpauth_uri(ctx.username, ctx.enrol_totp)
    context = {"ctx": ctx, "qr": _qr_svg(uri), "secret": ctx.enrol_totp, "uri": uri, "error": error}
    return tpl.render(request, "staff/totp.html", context, status=status)


@router.get("/account/totp")
def totp_form(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(any_session),
    tpl: Templates = Depends(templates),
) -> Response:
    """Shown only while enrolment is pending: the secret is never displayed again afterwards."""
    if ctx.pending != "totp" or ctx.enrol_totp is None:
        raise BadInput("Your authenticator is already set up. An admin can reset it if lost.")
    return _totp_page(request, tpl, ctx)


@router.post("/account/totp")
def totp_confirm(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(any_session),
    form: dict = Depends(checked_form),
    tpl: Templates = Depends(templates),
) -> Response:
    if ctx.pending != "totp" or ctx.enrol_totp is None:
        raise BadInput("Your authenticator is already set up. An admin can reset it if lost.")
    try:
        staff_sessions.finish_totp(svc, ctx, form.get("code", ""))
    except SealboxError as exc:
        return _totp_page(request, tpl, ctx, exc.message, exc.status)
    after = staff_sessions.resume(svc, request.cookies.get("sealbox_staff"))
    return RedirectResponse(SETUP_PAGES.get(after.pending or "", "/staff/"), status_code=303)
