"""Roles that take two people. An admin (or the command line) can only ask for the custodian
role; the account holds no role at all until an existing custodian approves. So one admin,
with every account they can make, never holds both sides of an identity disclosure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox import audit, notify
from sealbox.accounts import peer_approval, roles
from sealbox.accounts.actor import StaffContext
from sealbox.accounts.models import RoleRequest, User
from sealbox.accounts.peer_approval import PENDING
from sealbox.audit.actions import AuditAction
from sealbox.clock import Clock
from sealbox.errors import BadInput, Conflict, Forbidden, NotFound
from sealbox.locale import N_

DEACTIVATED = N_("This account is deactivated; an admin must reactivate it first.")


@dataclass(frozen=True)
class RoleRequestView:
    id: str
    user_id: str
    username: str
    role: str
    requested_by: str
    requested_on: dt.date
    # The holder's key fingerprint once they enrolled: the approver compares it with them.
    fingerprint: str | None


def holders_exist(session: Session, role: str) -> bool:
    """Whether any account (active or not) holds `role`."""
    return session.scalar(select(User.id).where(User.role == role).limit(1)) is not None


def request(session: Session, clock: Clock, actor: str, user: User, role: str) -> RoleRequest:
    """Ask for `role` on `user`'s behalf; the account holds no role until it is approved."""
    if role not in roles.APPROVED_BY_PEERS:
        raise BadInput("This role is granted directly, without a request.")
    row = RoleRequest(
        user_id=user.id,
        role=role,
        state=PENDING,
        requested_by=actor,
        requested_on=clock.today(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        clock,
        actor,
        AuditAction.ROLE_REQUESTED,
        f"user:{user.id}",
        username=user.username,
        role=role,
    )
    notify.role_changed(
        session,
        clock,
        f"{actor} asked for the account {user.username} to become {role}. "
        f"It holds no role until a {role} approves it in Sealbox (Approvals).",
    )
    return row


def pending(session: Session) -> list[RoleRequestView]:
    """Requests waiting for a decision, oldest first."""
    rows = session.execute(
        select(RoleRequest, User)
        .join(User, User.id == RoleRequest.user_id)
        .where(RoleRequest.state == PENDING)
        .order_by(RoleRequest.requested_on, User.username)
    ).all()
    return [_view(row, user) for row, user in rows]


def pending_role(session: Session, user_id: str) -> str | None:
    """The role an account waits for, if any."""
    return session.scalar(
        select(RoleRequest.role).where(RoleRequest.user_id == user_id, RoleRequest.state == PENDING)
    )


def decide(
    session: Session,
    clock: Clock,
    ctx: StaffContext,
    request_id: str,
    approve: bool,
    fingerprint_compared: bool = False,
) -> RoleRequestView:
    """A holder of the role approves (the account gets it) or denies the request."""
    row = session.get(RoleRequest, request_id)
    if row is None:
        raise NotFound("This request does not exist.")
    if ctx.role != row.role:
        raise Forbidden("Only an identity custodian can decide who becomes one.")
    if row.state != PENDING:
        raise Conflict("This request has already been decided.")
    user = session.get_one(User, row.user_id)
    if user.id == ctx.user_id:
        raise Forbidden("Nobody can approve their own role.")

    def grant() -> None:
        user.role = row.role

    verdict = peer_approval.settle(
        session,
        clock,
        ctx,
        row,
        user,
        (approve, fingerprint_compared),
        unfit=None if user.active else DEACTIVATED,
        not_enrolled=N_(
            "This account has not been set up by its holder yet. Approve once they have "
            "logged in and can read you the key fingerprint on their account page."
        ),
        grant=grant,
        actions=(AuditAction.ROLE_GRANTED, AuditAction.ROLE_REFUSED),
        target=f"user:{user.id}",
        username=user.username,
        role=row.role,
        request=row.id,
    )
    notify.role_changed(
        session,
        clock,
        f"{ctx.username} {verdict} the request for the account {user.username} to become "
        f"{row.role}.",
    )
    return _view(row, user)


def _view(row: RoleRequest, user: User) -> RoleRequestView:
    return RoleRequestView(
        id=row.id,
        user_id=user.id,
        username=user.username,
        role=row.role,
        requested_by=row.requested_by,
        requested_on=row.requested_on,
        fingerprint=peer_approval.fingerprint(user),
    )
