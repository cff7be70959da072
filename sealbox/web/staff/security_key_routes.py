"""Security keys and passkeys: the second step of a login, and the holder's own keys page.

The browser side is `static/webauthn.js` (staff pages may run this one script of our own);
its requests post the session's form token, and get JSON back: the options of a ceremony,
where to go next, or a translated error.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import JSONResponse, RedirectResponse, Response

from sealbox.errors import SealboxError
from sealbox.web import i18n
from sealbox.web.errors import status_of
from sealbox.web.formatting import message_text
from sealbox.web.staff import devices
from sealbox.web.staff.guards import SETUP_PAGES
from sealbox.web.staff.pages import AnyStep, FactorStep, Form, KeyHolder, StaffPage, fields

router = APIRouter()
HOME = "/staff/"


def _ceremony(page: StaffPage, step: Callable[[], Response]) -> Response:
    """One exchange of a WebAuthn ceremony with the script; a refusal as a translated JSON
    error."""
    try:
        return step()
    except SealboxError as exc:
        message = message_text(i18n.language_of(page.request).code, exc.message)
        return JSONResponse({"error": exc.code, "message": message}, status_code=status_of(exc))


def _options(made: str) -> Response:
    """A ceremony's options, as the domain wrote them (JSON)."""
    return Response(made, media_type="application/json")


def _next(page: StaffPage, pending: str | None) -> str:
    return page.local(SETUP_PAGES.get(pending or "", HOME))


# The second step of a login --------------------------------------------------------------


def _factor_page(page: StaffPage, error: SealboxError | None = None) -> Response:
    choice = page.svc.accounts.factor_choice(page.ctx)
    return page.render("staff/factor.html", fields(choice), error)


@router.get("/login/factor")
def factor_page(page: AnyStep) -> Response:
    if page.ctx.pending != "factor":
        return RedirectResponse(_next(page, page.ctx.pending), status_code=303)
    return _factor_page(page)


@router.post("/login/factor/options")
def factor_options(page: FactorStep, form: Form) -> Response:
    return _ceremony(page, lambda: _options(page.svc.accounts.login_options(page.ctx)))


@router.post("/login/factor/key")
def factor_key(page: FactorStep, form: Form) -> Response:
    def confirm() -> Response:
        done = page.svc.accounts.confirm_with_key(page.ctx, form.get("credential", ""))
        response = JSONResponse({"next": _next(page, done.pending)})
        devices.remember(response, page.request, page.svc.settings, done.device_mark)
        return response

    return _ceremony(page, confirm)


@router.post("/login/factor/code")
def factor_code(page: FactorStep, form: Form) -> Response:
    try:
        done = page.svc.accounts.confirm_with_code(page.ctx, form.get("code", ""))
    except SealboxError as exc:
        return _factor_page(page, exc)
    response = RedirectResponse(_next(page, done.pending), status_code=303)
    devices.remember(response, page.request, page.svc.settings, done.device_mark)
    return response


# The holder's keys ---------------------------------------------------------------------


def _keys_page(page: StaffPage, error: SealboxError | None = None) -> Response:
    return page.render("staff/keys.html", fields(page.svc.accounts.own_keys(page.ctx)), error)


@router.get("/account/keys")
def keys_page(page: KeyHolder) -> Response:
    return _keys_page(page)


@router.post("/account/keys/options")
def key_options(page: KeyHolder, form: Form) -> Response:
    name, password = form.get("name", ""), form.get("password", "")
    accounts = page.svc.accounts
    return _ceremony(page, lambda: _options(accounts.key_options(page.ctx, name, password)))


@router.post("/account/keys")
def add_key(page: KeyHolder, form: Form) -> Response:
    def register() -> Response:
        name, credential = form.get("name", ""), form.get("credential", "")
        pending = page.svc.accounts.add_key(page.ctx, name, credential)
        if page.ctx.pending == "key":  # the key this session had to register: on to what is next
            return JSONResponse({"next": _next(page, pending)})
        return JSONResponse({"next": page.local("/staff/account/keys?added=1")})

    return _ceremony(page, register)


@router.post("/account/keys/{key_id}/remove")
def remove_key(key_id: str, page: KeyHolder, form: Form) -> Response:
    return page.post_then_go(
        lambda: page.svc.accounts.remove_key(page.ctx, key_id),
        lambda refusal: _keys_page(page, refusal),
        page.local("/staff/account/keys?removed=1"),
    )
