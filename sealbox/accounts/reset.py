"""A forgotten password: the account starts over as a new one would (a one-time password, no
second factor, no key), and what its old key held is kept as claims for recovery.

The old key was sealed under the forgotten password, so nobody can open it again: the reset
erases it with every wrap made to it. The holder enrols anew (their own password and key) and
gets their reports back only through recovery with the organisation's offline key
(`sealbox recovery`), never from the server alone.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sealbox import audit, notify
from sealbox.accounts import staff
from sealbox.accounts.actor import Actor, require_admin
from sealbox.accounts.models import SecurityKey, StaffSession, User
from sealbox.audit.actions import AuditAction
from sealbox.clock import Clock
from sealbox.errors import BadInput, NotFound
from sealbox.kdf_queue import KdfQueue
from sealbox.recovery import claims
from sealbox.store import erase

# Tables whose old rows (the old key and its wraps) must not survive in the database files.
TOUCHED = ("users", "report_keys", "note_keys", "identity_keys", "staff_sessions")


def reset(session: Session, clock: Clock, kdf: KdfQueue, actor: Actor, username: str) -> str:
    """Reset `username`'s account; returns its new one-time password."""
    require_admin(actor)
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise NotFound("No account is named “%(name)s”.", name=username)
    if user.username == actor.username:
        raise BadInput("You cannot reset your own account.")
    held = claims.hold(session, user.id)
    password = staff.generate_password()
    user.password_hash = kdf.hash_password(password)
    user.must_change_password = True
    staff.reset_totp(user)
    user.public_key = None
    user.wrapped_private_key = None
    user.key_salt = None
    user.key_rotation_due = False
    session.execute(delete(SecurityKey).where(SecurityKey.user_id == user.id))
    erase.delete_overwritten(session, StaffSession, StaffSession.user_id == user.id)
    audit.record(
        session,
        clock,
        actor.username,
        AuditAction.USER_RESET,
        f"user:{user.id}",
        username=user.username,
        keys_to_recover=held,
    )
    notify.role_changed(
        session,
        clock,
        f"{actor.username} reset the account {user.username} (a forgotten password): it enrols "
        f"anew, and {held} report key(s) it held wait for recovery with the offline key.",
    )
    return password
