"""Security keys and passkeys: the second step of a login, and the holder's own keys page.

The browser side is `static/webauthn.js` (staff pages may run this one script of our own);
its requests post the session's form token, and get JSON back: the options of a ceremony,
where to go next, or a translated error.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from sealbox.accounts import factor_policy, second_factor, security_keys
from sealbox.accounts.actor import StaffContext
from sealbox.accounts.models import User
from sealbox.errors import SealboxError
from sealbox.services import Services
from sealbox.web import i18n
from sealbox.web.deps import services, templates
from sealbox.web.staff import devices
from sealbox.web.staff.guards import SETUP_PAGES, any_step, checked_form, factor_step, key_holder
from sealbox.web.templating import Templates

router = APIRouter()
HOME = "/staff/"


def _next(request: Request, pending: str | None) -> str:
    return i18n.local_url(i18n.choice_of(request), SETUP_PAGES.get(pending or "", HOME))


def _json_error(request: Request, exc: SealboxError) -> JSONResponse:
    message = i18n.translate(i18n.language_of(request).code, exc.message)
    return JSONResponse({"error": exc.code, "message": message}, status_code=exc.status)


def _ceremony(request: Request, run) -> JSONResponse:
    try:
        return run()
    except SealboxError as exc:
        return _json_error(request, exc)


# The second step of a login --------------------------------------------------------------


def _factor_page(request, svc, tpl, ctx, error=None, status=200) -> Response:
    with svc.db.transaction() as session:
        user = session.get(User, ctx.user_id)
        has_keys = factor_policy.key_count(session, user.id) > 0
        codes = factor_policy.totp_counts(session, user)
    context = {"ctx": ctx, "has_keys": has_keys, "codes": codes, "error": error}
    return tpl.render(request, "staff/factor.html", context, status=status)


@router.get("/login/factor")
def factor_page(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(any_step),
    tpl: Templates = Depends(templates),
) -> Response:
    if ctx.pending != second_factor.FACTOR:
        return RedirectResponse(_next(request, ctx.pending), status_code=303)
    return _factor_page(request, svc, tpl, ctx)


@router.post("/login/factor/options")
def factor_options(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(factor_step),
    form: dict = Depends(checked_form),
) -> Response:
    def run():
        options = second_factor.login_options(svc, ctx)
        return Response(options, media_type="application/json")

    return _ceremony(request, run)


@router.post("/login/factor/key")
def factor_key(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(factor_step),
    form: dict = Depends(checked_form),
) -> Response:
    def run():
        pending = second_factor.confirm_with_key(svc, ctx, form.get("credential", ""))
        response = JSONResponse({"next": _next(request, pending)})
        devices.remember(response, request, svc, ctx.user_id, pending)
        return response

    return _ceremony(request, run)


@router.post("/login/factor/code")
def factor_code(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(factor_step),
    form: dict = Depends(checked_form),
    tpl: Templates = Depends(templates),
) -> Response:
    try:
        pending = second_factor.confirm_with_code(svc, ctx, form.get("code", ""))
    except SealboxError as exc:
        return _factor_page(request, svc, tpl, ctx, exc.message, exc.status)
    response = RedirectResponse(_next(request, pending), status_code=303)
    devices.remember(response, request, svc, ctx.user_id, pending)
    return response


# The holder's keys ---------------------------------------------------------------------


def _keys_page(request, svc, tpl, ctx, error=None, status=200) -> Response:
    with svc.db.transaction() as session:
        user = session.get(User, ctx.user_id)
        keys = security_keys.keys_of(session, user.id)
        codes = user.totp_confirmed and factor_policy.totp_allowed(session, user.role)
    context = {
        "ctx": ctx,
        "keys": keys,
        "codes": codes,
        "available": bool(svc.settings.webauthn_origin),
        "error": error,
        "max_name": security_keys.NAME_LENGTH,
    }
    return tpl.render(request, "staff/keys.html", context, status=status)


@router.get("/account/keys")
def keys_page(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(key_holder),
    tpl: Templates = Depends(templates),
) -> Response:
    return _keys_page(request, svc, tpl, ctx)


@router.post("/account/keys/options")
def key_options(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(key_holder),
    form: dict = Depends(checked_form),
) -> Response:
    def run():
        security_keys.check_name(form.get("name", ""))
        options = second_factor.registration_options(svc, ctx, form.get("password", ""))
        return Response(options, media_type="application/json")

    return _ceremony(request, run)


@router.post("/account/keys")
def add_key(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(key_holder),
    form: dict = Depends(checked_form),
) -> Response:
    def run():
        pending = second_factor.add_key(svc, ctx, form.get("name", ""), form.get("credential", ""))
        if ctx.pending == "key":  # the key this session had to register: on to what is next
            return JSONResponse({"next": _next(request, pending)})
        target = i18n.local_url(i18n.choice_of(request), "/staff/account/keys?added=1")
        return JSONResponse({"next": target})

    return _ceremony(request, run)


@router.post("/account/keys/{key_id}/remove")
def remove_key(
    key_id: str,
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(key_holder),
    form: dict = Depends(checked_form),
    tpl: Templates = Depends(templates),
) -> Response:
    try:
        second_factor.remove_key(svc, ctx, key_id)
    except SealboxError as exc:
        return _keys_page(request, svc, tpl, ctx, exc.message, exc.status)
    target = i18n.local_url(i18n.choice_of(request), "/staff/account/keys?removed=1")
    return RedirectResponse(target, status_code=303)
