"""A staff member's own account: enrolment (a fresh authenticator shown as an inline SVG QR
code, no JavaScript; then their own password, under which their key is made), password
change (re-wraps the key), key fingerprint, logout everywhere."""

from __future__ import annotations

import segno
from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from sealbox.errors import SealboxError
from sealbox.web.staff.guards import SETUP_PAGES
from sealbox.web.staff.pages import AnySession, Form, Staff, StaffPage, fields

router = APIRouter()


@router.get("/account")
def account_page(page: Staff) -> Response:
    return page.render("staff/account.html", fields(page.svc.accounts.own_account(page.ctx)))


def _password_page(page: StaffPage, error: SealboxError | None = None, form=None) -> Response:
    context = {
        **fields(page.svc.accounts.password_form(page.ctx)),
        "offline_key": (form or {}).get("offline_key", ""),
    }
    return page.render("staff/password.html", context, error)


@router.get("/account/password")
def password_form(page: AnySession) -> Response:
    if page.ctx.pending in ("totp", "key"):
        return RedirectResponse(SETUP_PAGES[page.ctx.pending], status_code=303)
    return _password_page(page)


@router.post("/account/password")
def change_password(page: AnySession, form: Form) -> Response:
    current, new, confirm = (form.get(k, "") for k in ("current", "new", "confirm"))
    return page.post_then_go(
        lambda: page.svc.accounts.change_password(
            page.ctx, current, new, confirm, form.get("offline_key", "")
        ),
        lambda refusal: _password_page(page, refusal, form),
        "/staff/account?changed=1",
    )


def _qr_svg(uri: str) -> Markup:
    # segno escapes nothing it does not write itself: the SVG holds only paths.
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", border=2)
    return Markup(svg)  # noqa: S704 - markup made by segno from a URI we built


def _totp_page(page: StaffPage, error: SealboxError | None = None) -> Response:
    """Shown only while enrolment is pending: the secret is never displayed again afterwards."""
    # The secret this session made at login: shown to nobody else, and never again.
    shown = page.svc.accounts.totp_enrolment(page.ctx)
    context = {"qr": _qr_svg(shown.uri), "secret": shown.secret, "uri": shown.uri}
    return page.render("staff/totp.html", context, error)


@router.get("/account/totp")
def totp_form(page: AnySession) -> Response:
    return _totp_page(page)


@router.post("/account/totp")
def totp_confirm(page: AnySession, form: Form) -> Response:
    return page.post_then_go(
        lambda: page.svc.accounts.finish_totp(page.ctx, form.get("code", "")),
        lambda refusal: _totp_page(page, refusal),
        lambda pending: SETUP_PAGES.get(pending or "", "/staff/"),
    )
