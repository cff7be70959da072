"""The admin's sign-in page: per role, whether authenticator codes still count as a second
factor, and which accounts have no security key yet."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from sealbox.errors import SealboxError
from sealbox.web.staff.pages import Admin, Form, StaffPage, fields

router = APIRouter(prefix="/admin")


def _page(page: StaffPage, error: SealboxError | None = None) -> Response:
    policy = page.svc.accounts.sign_in_policy(page.ctx)
    return page.render("staff/admin_sign_in.html", fields(policy), error)


@router.get("/sign-in")
def sign_in_page(page: Admin) -> Response:
    return _page(page)


@router.post("/sign-in")
def set_totp_allowed(page: Admin, form: Form) -> Response:
    allowed, understood = form.get("totp_allowed") == "1", form.get("understood") == "1"
    return page.post_then_go(
        lambda: page.svc.accounts.set_totp_allowed(
            page.ctx, form.get("role", ""), allowed, understood
        ),
        lambda refusal: _page(page, refusal),
        "/staff/admin/sign-in?saved=1",
    )
