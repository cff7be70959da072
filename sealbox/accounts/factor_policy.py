"""Which second factors count, per role. A security key or passkey always does; codes from an
authenticator app (TOTP) do unless an admin switched them off for the role. Switching them off
names every account that has no key yet: each registers one at its next login (with its code,
one last time), so nobody is locked out unawares."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sealbox import audit, notify
from sealbox.accounts import roles
from sealbox.accounts.models import RolePolicy, SecurityKey, User
from sealbox.accounts.roles import Role
from sealbox.audit.actions import AuditAction
from sealbox.clock import Clock
from sealbox.errors import BadInput


@dataclass(frozen=True)
class RoleFactors:
    role: str
    totp_allowed: bool
    # Active accounts of the role without a security key: switching TOTP off sends each of
    # them to register one at their next login.
    without_key: list[str]


def policy_role(role: str) -> Role:
    """The role whose policy applies: an account waiting for the custodian role follows it."""
    return Role.CUSTODIAN if role == Role.NONE else Role(role)


def totp_allowed(session: Session, role: str) -> bool:
    allowed = session.scalar(
        select(RolePolicy.totp_allowed).where(RolePolicy.role == policy_role(role))
    )
    return True if allowed is None else bool(allowed)


def key_count(session: Session, user_id: str) -> int:
    return session.execute(
        select(func.count()).select_from(SecurityKey).where(SecurityKey.user_id == user_id)
    ).scalar_one()


def totp_counts(session: Session, user: User) -> bool:
    """Whether `user`'s authenticator codes are a second factor today: allowed for their
    role, or, while they have no key, to reach the page where they must register one."""
    if not user.totp_confirmed:
        return False
    return totp_allowed(session, user.role) or key_count(session, user.id) == 0


def overview(session: Session) -> list[RoleFactors]:
    """Each role's setting and the active accounts that hold no security key."""
    with_key = select(SecurityKey.user_id)
    lacking = session.execute(
        select(User.role, User.username)
        .where(User.active, User.id.not_in(with_key))
        .order_by(User.username)
    ).all()
    result = []
    for role in roles.ROLES:
        names = [name for r, name in lacking if policy_role(r) == role]
        result.append(RoleFactors(role, totp_allowed(session, role), names))
    return result


def set_totp_allowed(
    session: Session,
    clock: Clock,
    actor: str,
    role: str,
    allowed: bool,
    keys_available: bool,
    understood: bool = False,
) -> None:
    """Switch authenticator codes on or off for `role` (an admin's decision); audited and
    mailed to the auditors. Switching off needs security keys to work on this instance, and
    `understood` when some accounts of the role have no key yet."""
    if role not in roles.ROLES:
        raise BadInput("Unknown role; choose one of admin, handler, custodian, auditor.")
    if totp_allowed(session, role) == allowed:
        return
    without = next(f.without_key for f in overview(session) if f.role == role)
    if not allowed and not keys_available:
        raise BadInput(
            "Security keys do not work on this instance yet: set its public address "
            "(SEALBOX_PUBLIC_URL) first, or nobody could log in."
        )
    if not allowed and without and not understood:
        raise BadInput(
            "Some accounts of this role have no security key yet. Tick the box to confirm that "
            "they must register one at their next login."
        )
    row = session.get(RolePolicy, role)
    if row is None:
        session.add(RolePolicy(role=role, totp_allowed=allowed))
    else:
        row.totp_allowed = allowed
    audit.record(
        session,
        clock,
        actor,
        AuditAction.TOTP_POLICY_CHANGED,
        f"role:{role}",
        totp_allowed=allowed,
        without_key=without,
    )
    if allowed:
        summary = f"{actor} allowed authenticator-app codes again as a second factor for {role}."
    else:
        summary = (
            f"{actor} switched off authenticator-app codes for {role}: from now on they log in "
            "with a security key or passkey only."
        )
        if without:
            summary += (
                " Accounts without a key register one at their next login: "
                + ", ".join(without)
                + "."
            )
    notify.sign_in_policy_changed(session, clock, summary)
