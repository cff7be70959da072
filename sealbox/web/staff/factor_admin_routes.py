"""The admin's sign-in page: per role, whether authenticator codes still count as a second
factor, and which accounts have no security key yet."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sealbox.accounts import factor_policy
from sealbox.accounts.actor import StaffContext
from sealbox.errors import SealboxError
from sealbox.services import Services
from sealbox.web.deps import services, templates
from sealbox.web.staff.guards import admin, checked_form
from sealbox.web.templating import Templates

router = APIRouter(prefix="/admin")


def _page(request, svc, tpl, ctx, error=None, status=200) -> Response:
    with svc.db.transaction() as session:
        roles = factor_policy.overview(session)
    context = {
        "ctx": ctx,
        "roles": roles,
        "available": bool(svc.settings.webauthn_origin),
        "error": error,
    }
    return tpl.render(request, "staff/admin_sign_in.html", context, status=status)


@router.get("/sign-in")
def sign_in_page(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(admin),
    tpl: Templates = Depends(templates),
) -> Response:
    return _page(request, svc, tpl, ctx)


@router.post("/sign-in")
def set_totp_allowed(
    request: Request,
    svc: Services = Depends(services),
    ctx: StaffContext = Depends(admin),
    form: dict = Depends(checked_form),
    tpl: Templates = Depends(templates),
) -> Response:
    try:
        with svc.db.transaction() as session:
            factor_policy.set_totp_allowed(
                session,
                svc.clock,
                ctx.username,
                form.get("role", ""),
                form.get("totp_allowed") == "1",
                keys_available=bool(svc.settings.webauthn_origin),
                understood=form.get("understood") == "1",
            )
    except SealboxError as exc:
        return _page(request, svc, tpl, ctx, exc.message, exc.status)
    return RedirectResponse("/staff/admin/sign-in?saved=1", status_code=303)
