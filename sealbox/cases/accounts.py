"""Admins manage staff accounts: add with a role, deactivate, reactivate, reset the
authenticator. Admins never see a key, and every change is audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox import audit
from sealbox.cases import staff
from sealbox.cases.errors import BadInput, NotFound
from sealbox.cases.staff_sessions import StaffContext
from sealbox.clock import Clock
from sealbox.crypto import KdfParams
from sealbox.store import erase
from sealbox.store.models import StaffSession, User


@dataclass(frozen=True)
class Account:
    id: str
    username: str
    role: str
    active: bool
    offline: bool
    totp_confirmed: bool
    must_change_password: bool
    email: str | None


def accounts(session: Session) -> list[Account]:
    return [
        Account(
            u.id,
            u.username,
            u.role,
            u.active,
            u.wrapped_private_key is None,
            u.totp_confirmed,
            u.must_change_password,
            getattr(u, "email", None),
        )
        for u in session.scalars(select(User).order_by(User.role, User.username))
    ]


def add(
    session: Session,
    clock: Clock,
    kdf: KdfParams,
    ctx: StaffContext,
    username: str,
    role: str,
    offline_key: str = "",
    email: str = "",
) -> staff.NewUser:
    """A new account with a one-time password; its first login enrols TOTP and changes it."""
    email = email.strip()
    if email and ("@" not in email or len(email) > 254 or any(c.isspace() for c in email)):
        raise BadInput("This is not an email address.")
    new = staff.create_user(
        session,
        clock,
        kdf,
        username,
        role,
        None,
        offline_key.strip() or None,
        must_change_password=True,
        totp_confirmed=False,
    )
    if email:
        new.user.email = email
    audit.record(
        session,
        clock,
        ctx.username,
        "user_added",
        f"user:{new.user.id}",
        username=new.user.username,
        role=role,
        offline=new.user.offline,
    )
    return new


def _user(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("This account does not exist.")
    return user


def _end_sessions(session: Session, user_id: str) -> None:
    erase.delete_overwritten(session, StaffSession, StaffSession.user_id == user_id)


def set_active(
    session: Session, clock: Clock, ctx: StaffContext, user_id: str, active: bool
) -> None:
    """Deactivating ends the account's sessions at once; its key wraps stay for reactivation."""
    user = _user(session, user_id)
    if user.id == ctx.user_id and not active:
        raise BadInput("You cannot deactivate your own account.")
    user.active = active
    if not active:
        _end_sessions(session, user.id)
    action = "user_reactivated" if active else "user_deactivated"
    audit.record(session, clock, ctx.username, action, f"user:{user.id}", username=user.username)


def reset_totp(session: Session, clock: Clock, ctx: StaffContext, user_id: str) -> None:
    """A lost phone: the account enrols a new authenticator at its next password login."""
    user = _user(session, user_id)
    staff.reset_totp(user)
    _end_sessions(session, user.id)
    audit.record(
        session, clock, ctx.username, "user_totp_reset", f"user:{user.id}", username=user.username
    )
