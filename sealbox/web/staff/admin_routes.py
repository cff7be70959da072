"""Admin pages: staff accounts and channels. None of them opens a report."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from sealbox.accounts import roles
from sealbox.channels.channel_settings import LANGUAGES, ChannelSettings
from sealbox.errors import BadInput, NotFound, SealboxError
from sealbox.locale import N_
from sealbox.web.kept_text import TypedField
from sealbox.web.staff.guards import keeps_text
from sealbox.web.staff.pages import Admin, Form, Refusal, StaffPage, fields

router = APIRouter(prefix="/admin")

LANGUAGE_NAMES = {"en": "English", "zh_Hans": "简体中文", "zh_Hant": "繁體中文", "ug": "ئۇيغۇرچە"}
# What an admin writes in each form, given back if storage fails (kept_text).
NEW_ACCOUNT = (
    TypedField("username", N_("Username"), long=False),
    TypedField("email", N_("Email for notifications (optional)"), long=False),
)
NEW_CHANNEL = (
    TypedField("slug", N_("Address (lower-case letters, digits, dashes)"), long=False),
    TypedField("name", N_("Name (English)"), long=False),
)
CHANNEL_TEXTS = tuple(
    TypedField(f"name_{lang}", N_("Name"), long=False, note=LANGUAGE_NAMES[lang])
    for lang in LANGUAGES
) + tuple(
    TypedField(f"description_{lang}", N_("Description for sources"), note=LANGUAGE_NAMES[lang])
    for lang in LANGUAGES
)


def _users_page(page: StaffPage, error: Refusal = None, created=None, form=None) -> Response:
    context = {
        "users": page.svc.accounts.listing(page.ctx),
        "roles": roles.ROLE_NAMES,
        "created": created,
        "form": form or {},
    }
    return page.render("staff/admin_users.html", context, error)


@router.get("/users")
def users(page: Admin) -> Response:
    return _users_page(page)


@router.post("/users", dependencies=[keeps_text(*NEW_ACCOUNT)])
def add_user(page: Admin, form: Form) -> Response:
    username, role, email = (form.get(k, "") for k in ("username", "role", "email"))
    try:
        new = page.svc.accounts.add(page.ctx, username, role, email)
    except SealboxError as exc:
        return _users_page(page, exc, form=form)
    # The one-time password is shown once, here. It opens only the enrolment pages: the holder
    # makes their authenticator, password and key at first login, unseen by the admin.
    return _users_page(page, created=new)


def _confirm(page: StaffPage, kind: str, action: str, back: str, **context) -> Response:
    """A confirmation step before a destructive action: a page with one form, so it needs no
    JavaScript; Cancel goes back without changing anything."""
    return page.render(
        "staff/confirm.html", {"kind": kind, "action": action, "back": back, **context}
    )


def _account(page: StaffPage, user_id: str):
    for account in page.svc.accounts.listing(page.ctx):
        if account.id == user_id:
            return account
    raise NotFound("This account does not exist.")


@router.get("/users/{user_id}/active")
def confirm_deactivate(user_id: str, page: Admin) -> Response:
    account = _account(page, user_id)
    action = f"/staff/admin/users/{user_id}/active"
    return _confirm(page, "deactivate", action, "/staff/admin/users", account=account)


@router.get("/users/{user_id}/reset-totp")
def confirm_reset(user_id: str, page: Admin) -> Response:
    account = _account(page, user_id)
    action = f"/staff/admin/users/{user_id}/reset-totp"
    return _confirm(page, "reset", action, "/staff/admin/users", account=account)


@router.post("/users/{user_id}/active")
def set_active(user_id: str, page: Admin, form: Form) -> Response:
    page.svc.accounts.set_active(page.ctx, user_id, form.get("active") == "1")
    return RedirectResponse("/staff/admin/users", status_code=303)


@router.post("/users/{user_id}/reset-totp")
def reset_totp(user_id: str, page: Admin, form: Form) -> Response:
    page.svc.accounts.reset_second_factors(page.ctx, user_id)
    return RedirectResponse("/staff/admin/users", status_code=303)


@router.get("/channels")
def channel_list(page: Admin) -> Response:
    listing = page.svc.channels.listing(page.ctx)
    return page.render("staff/admin_channels.html", {"channels": listing})


@router.post("/channels", dependencies=[keeps_text(*NEW_CHANNEL)])
def add_channel(page: Admin, form: Form) -> Response:
    made = page.svc.channels.add(page.ctx, form.get("slug", ""), form.get("name", ""))
    return RedirectResponse(f"/staff/admin/channels/{made}", status_code=303)


def _channel_page(page: StaffPage, channel_id: str, error: Refusal = None, change=None) -> Response:
    shown = page.svc.channels.page(page.ctx, channel_id)
    context = {**fields(shown), "channel_languages": LANGUAGE_NAMES, "change": change}
    return page.render("staff/admin_channel.html", context, error)


@router.get("/channels/{channel_id}")
def channel_page(channel_id: str, page: Admin) -> Response:
    return _channel_page(page, channel_id)


def _days(form: dict, name: str) -> int:
    raw = form.get(name, "").strip()
    if not raw.isdecimal() or len(raw) > 6:
        raise BadInput("Retention is a whole number of days.")
    return int(raw)


@router.post("/channels/{channel_id}", dependencies=[keeps_text(*CHANNEL_TEXTS)])
def update_channel(channel_id: str, page: Admin, form: Form) -> Response:
    try:
        new = ChannelSettings(
            names={lang: form.get(f"name_{lang}", "") for lang in LANGUAGES},
            descriptions={lang: form.get(f"description_{lang}", "") for lang in LANGUAGES},
            allow_identity=form.get("allow_identity") == "1",
            allow_keep_metadata=form.get("allow_keep_metadata") == "1",
            active=form.get("active") == "1",
            retention_days_closed=_days(form, "retention_days_closed"),
            retention_days_unanswered=_days(form, "retention_days_unanswered"),
        )
        page.svc.channels.update(page.ctx, channel_id, new)
    except SealboxError as exc:
        return _channel_page(page, channel_id, exc)
    return RedirectResponse(f"/staff/admin/channels/{channel_id}?saved=1", status_code=303)


@router.post("/channels/{channel_id}/handlers")
def update_handlers(channel_id: str, page: Admin, form: Form) -> Response:
    chosen = {key.removeprefix("handler_") for key in form if key.startswith("handler_")}
    if form.get("confirm") != "1":
        # Removing a handler takes effect at once: the admin confirms it on a page of its own.
        shown = page.svc.channels.page(page.ctx, channel_id)
        leaving = [h for h in shown.handlers if h.id in shown.assigned - chosen]
        if leaving:
            action = f"/staff/admin/channels/{channel_id}/handlers"
            kept = [(f"handler_{user_id}", "1") for user_id in sorted(chosen)]
            back = f"/staff/admin/channels/{channel_id}#handlers"
            return _confirm(
                page, "remove", action, back, leaving=leaving, hidden=kept, channel=shown.channel
            )
    try:
        change = page.svc.channels.set_handlers(page.ctx, channel_id, chosen)
    except SealboxError as exc:
        return _channel_page(page, channel_id, exc)
    # Shown in answer to the post: who joined, who waits for a handler's approval, who left.
    return _channel_page(page, channel_id, change=change)
