"""Admins manage staff accounts: add with a role, deactivate, reactivate, reset the second
factors (authenticator and security keys). Admins never see a key or a second factor: a new
account gets a one-time password, and its holder makes their own second factor, password and
key at first login.
The custodian role also needs an existing custodian's approval. Every change is audited and
mailed to the auditors and custodians."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from sealbox import audit, notify
from sealbox.accounts import peer_approval, role_requests, roles, staff
from sealbox.accounts.actor import COMMAND_LINE, StaffContext
from sealbox.accounts.models import RoleRequest, SecurityKey, StaffSession, User
from sealbox.accounts.roles import Role
from sealbox.audit.actions import AuditAction
from sealbox.clock import Clock
from sealbox.crypto import Recipient
from sealbox.errors import BadInput, NotFound
from sealbox.kdf_queue import KdfQueue
from sealbox.notify.addresses import normalise_email
from sealbox.store import erase

# The command line at install time, the only actor that may name the first custodian (no
# account can take this name: staff.RESERVED_NAMES).
INSTALLER = COMMAND_LINE.username


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
    # The role this account waits for (a custodian must approve), or None.
    awaiting: str | None = None
    fingerprint: str | None = None


@dataclass(frozen=True)
class Added:
    user: User
    # The one-time password: it opens only the enrolment pages, never a key.
    password: str
    # The role that waits for approval (the account holds none until then), or None.
    awaiting: str | None


def accounts(session: Session) -> list[Account]:
    waiting = dict(
        session.execute(
            select(RoleRequest.user_id, RoleRequest.role).where(
                RoleRequest.state == peer_approval.PENDING
            )
        ).all()
    )
    return [
        Account(
            u.id,
            u.username,
            u.role,
            u.active,
            u.offline,
            u.totp_confirmed,
            u.must_change_password,
            u.email,
            waiting.get(u.id),
            Recipient.parse(u.public_key).fingerprint if u.public_key else None,
        )
        for u in session.scalars(select(User).order_by(User.role, User.username))
    ]


def add(
    session: Session,
    clock: Clock,
    kdf: KdfQueue,
    actor: str,
    username: str,
    role: str,
    email: str = "",
) -> Added:
    """A new account with a one-time password; its holder enrols at first login.

    `actor` is the admin's username, or INSTALLER for the command line. The custodian role is
    granted at once only to the first custodian, from the command line; after that it is a
    request that an existing custodian approves.
    """
    address = normalise_email(email)
    granted, awaiting = role, None
    if role in roles.APPROVED_BY_PEERS:
        if role_requests.holders_exist(session, role):
            granted, awaiting = Role.NONE, role
        elif actor != INSTALLER:
            raise BadInput(
                "The first identity custodian is named when Sealbox is installed, on the "
                "command line: sealbox user add NAME --role custodian."
            )
    new = staff.create_user(session, clock, kdf, username, granted)
    new.user.email = address
    audit.record(
        session,
        clock,
        actor,
        AuditAction.USER_ADDED,
        f"user:{new.user.id}",
        username=new.user.username,
        role=granted,
    )
    if awaiting:
        role_requests.request(session, clock, actor, new.user, awaiting)
    else:
        notify.role_changed(
            session, clock, f"{actor} added the account {new.user.username} as {granted}."
        )
    return Added(new.user, new.password, awaiting)


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
    action = AuditAction.USER_REACTIVATED if active else AuditAction.USER_DEACTIVATED
    audit.record(session, clock, ctx.username, action, f"user:{user.id}", username=user.username)
    verb = "reactivated" if active else "deactivated"
    notify.role_changed(session, clock, f"{ctx.username} {verb} the account {user.username}.")


def reset_totp(session: Session, clock: Clock, ctx: StaffContext, user_id: str) -> None:
    """A lost phone or key: the account's authenticator and security keys are forgotten, and
    it enrols a new second factor at its next password login."""
    user = _user(session, user_id)
    staff.reset_totp(user)
    forgotten = session.execute(delete(SecurityKey).where(SecurityKey.user_id == user.id))
    assert isinstance(forgotten, CursorResult)  # a DELETE's result counts its rows
    keys = forgotten.rowcount
    _end_sessions(session, user.id)
    audit.record(
        session,
        clock,
        ctx.username,
        AuditAction.USER_TOTP_RESET,
        f"user:{user.id}",
        username=user.username,
        security_keys_removed=keys or 0,
    )
    notify.role_changed(
        session,
        clock,
        f"{ctx.username} reset the second factors (authenticator and security keys) of "
        f"{user.username}: their next login with their password sets up a new one.",
    )
    notify.second_factor_changed(
        session,
        clock,
        user,
        f"{ctx.username} reset the second factors of your account {user.username}: your next "
        "login with your password sets up a new one.",
    )
