"""Server-side staff sessions that several workers share.

The cookie holds `session id . secret`. The row holds the staff member's private key sealed to
a key derived from the secret, so a copy of the database alone opens no session. A session ends
when its owner logs out, after `staff_session_idle_minutes` without a request, and at the latest
`staff_session_max_hours` after login; its row is then deleted and the deletion made
unrecoverable (`Database.forget`), so a captured cookie and a later copy of the server open
nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import or_, select

from sealbox import audit, crypto
from sealbox.cases import staff
from sealbox.cases.errors import BadInput, SessionExpired
from sealbox.crypto import CannotOpen, Identity
from sealbox.services import Services
from sealbox.store import erase
from sealbox.store.models import StaffSession, User


@dataclass(frozen=True)
class StaffContext:
    """Who is asking, and the key they hold for this request only."""

    user_id: str
    username: str
    role: str
    identity: Identity | None
    session_id: str
    csrf_token: str
    # A step the session must finish first ("totp" enrolment, "password" change), or None.
    pending: str | None = None


def _session_row_id(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def log_in(services: Services, username: str, password: str, totp_code: str) -> str:
    """Authenticate and open a session; returns the cookie value."""
    with services.db.transaction() as session:
        outcome = staff.authenticate(
            session,
            services.clock,
            services.settings.kdf,
            services.settings.staff_lockout_after,
            username,
            password,
            totp_code,
        )
        if not isinstance(outcome, staff.StaffLogin):
            user = staff.get_user(session, username.strip())
            audit.record(
                session,
                services.clock,
                user.username if user else None,
                "login_failed",
                f"user:{user.id}" if user else None,
            )
        if isinstance(outcome, staff.StaffLogin):
            sid, secret = secrets.token_urlsafe(24), secrets.token_bytes(32)
            sealed = None
            if outcome.identity is not None:
                sealed = crypto.wrap_identity(
                    outcome.identity, crypto.derive_session_key(secret).recipient
                )
            session.add(
                StaffSession(
                    id=_session_row_id(sid),
                    user_id=outcome.user.id,
                    sealed_key=sealed,
                    last_seen=services.clock.timestamp(),
                    created=services.clock.timestamp(),
                    pending=outcome.pending,
                )
            )
            audit.record(
                session,
                services.clock,
                outcome.user.username,
                "login",
                f"user:{outcome.user.id}",
                **({"pending": outcome.pending} if outcome.pending else {}),
            )
            return f"{sid}.{secret.hex()}"
    raise outcome


def resume(services: Services, cookie: str | None) -> StaffContext:
    """The context for a request carrying `cookie`; SessionExpired when idle too long or unknown."""
    sid, _, secret_hex = (cookie or "").partition(".")
    try:
        secret = bytes.fromhex(secret_hex)
    except ValueError:
        secret = b""
    if not sid or len(secret) != 32:
        raise SessionExpired("Please log in.")
    now = services.clock.timestamp()
    context = None
    with services.db.transaction() as session:
        row = session.get(StaffSession, _session_row_id(sid))
        ended = row is not None and _ended(services, row, now)
        if ended:
            # Committed before SessionExpired is raised below.
            erase.delete_overwritten(session, StaffSession, StaffSession.id == row.id)
        elif row is not None:
            user = session.get(User, row.user_id)
            if user is None or not user.active:
                raise SessionExpired("Please log in.")
            row.last_seen = now
            identity = None
            if row.sealed_key is not None:
                try:
                    key = crypto.derive_session_key(secret)
                    identity = crypto.unwrap_identity(row.sealed_key, key)
                except CannotOpen:
                    raise SessionExpired("Please log in.") from None
            csrf = hashlib.blake2b(secret, digest_size=16, person=b"sealbox-csrf").hexdigest()
            context = StaffContext(
                user.id, user.username, user.role, identity, row.id, csrf, row.pending
            )
    if ended:
        forget(services)
    if context is None:
        raise SessionExpired("Your session has expired. Please log in again.")
    return context


def _ended(services: Services, row: StaffSession, now: float) -> bool:
    settings = services.settings
    idle = now - row.last_seen > settings.staff_session_idle_minutes * 60
    return idle or now - row.created > settings.staff_session_max_hours * 3600


def forget(services: Services) -> None:
    """Make deleted sessions unrecoverable from the database files (see `Database.forget`).

    If SQLite is busy it does not fully run; the sessions job calls it again within minutes.
    """
    services.db.forget("staff_sessions")


def log_out(services: Services, context: StaffContext, everywhere: bool = False) -> None:
    """End this session, or every session of the user (a lost laptop, a shared computer)."""
    with services.db.transaction() as session:
        if everywhere:
            erase.delete_overwritten(session, StaffSession, StaffSession.user_id == context.user_id)
        else:
            erase.delete_overwritten(session, StaffSession, StaffSession.id == context.session_id)
        action = "logout_everywhere" if everywhere else "logout"
        audit.record(session, services.clock, context.username, action, f"user:{context.user_id}")
    forget(services)


def finish_totp(services: Services, context: StaffContext, code: str) -> None:
    """Confirm the authenticator during enrolment; the session moves to its next step."""
    with services.db.transaction() as session:
        user = session.get(User, context.user_id)
        if context.pending != "totp" or user is None:
            raise BadInput("Your authenticator is already set up.")
        staff.confirm_totp(user, code, services.clock.timestamp())
        row = session.get(StaffSession, context.session_id)
        row.pending = staff.pending_step(user)
        audit.record(session, services.clock, user.username, "totp_enrolled", f"user:{user.id}")


def change_password(
    services: Services, context: StaffContext, current: str, new: str, confirm: str
) -> None:
    """Change the password, re-wrapping the private key; every other session is ended."""
    with services.db.transaction() as session:
        user = session.get(User, context.user_id)
        if context.pending == "totp" or user is None:
            raise BadInput("Set up your authenticator first.")
        staff.change_password(user, context.identity, current, new, confirm, services.settings.kdf)
        erase.delete_overwritten(
            session,
            StaffSession,
            StaffSession.user_id == user.id,
            StaffSession.id != context.session_id,
        )
        session.get(StaffSession, context.session_id).pending = None
        audit.record(session, services.clock, user.username, "password_changed", f"user:{user.id}")
    forget(services)


def sweep_expired(services: Services) -> int:
    """Delete idle and over-age sessions (their sealed keys go with them), and forget them.

    It forgets even when it deleted nothing itself: sessions ended elsewhere (an account
    deactivated, a password changed, a busy SQLite at logout) are made unrecoverable here too.
    """
    settings = services.settings
    now = services.clock.timestamp()
    idle_cutoff = now - settings.staff_session_idle_minutes * 60
    age_cutoff = now - settings.staff_session_max_hours * 3600
    with services.db.transaction() as session:
        rows = session.scalars(
            select(StaffSession.id).where(
                or_(StaffSession.last_seen < idle_cutoff, StaffSession.created < age_cutoff)
            )
        ).all()
        erase.delete_overwritten(session, StaffSession, StaffSession.id.in_(rows))
    forget(services)
    return len(rows)
