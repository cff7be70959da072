"""Server-side staff sessions that several workers share.

The cookie holds `session id . secret`. The row holds the staff member's private key sealed to
a key derived from the secret, so a copy of the database alone opens no session.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select

from sealbox import crypto
from sealbox.cases import staff
from sealbox.cases.errors import SessionExpired
from sealbox.crypto import Identity
from sealbox.services import Services
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
        if isinstance(outcome, staff.StaffLogin):
            sid, secret = secrets.token_urlsafe(24), secrets.token_bytes(32)
            sealed = None
            if outcome.identity is not None:
                sealed = crypto.wrap_identity(outcome.identity, crypto.derive_session_key(secret).recipient)
            session.add(
                StaffSession(
                    id=_session_row_id(sid),
                    user_id=outcome.user.id,
                    sealed_key=sealed,
                    last_seen=services.clock.timestamp(),
                )
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
    idle = services.settings.staff_session_idle_minutes * 60
    now = services.clock.timestamp()
    with services.db.transaction() as session:
        row = session.get(StaffSession, _session_row_id(sid))
        if row is None or now - row.last_seen > idle:
            if row is not None:
                session.delete(row)
            raise SessionExpired("Your session has expired. Please log in again.")
        user = session.get(User, row.user_id)
        if user is None or not user.active:
            raise SessionExpired("Please log in.")
        row.last_seen = now
        identity = None
        if row.sealed_key is not None:
            identity = crypto.unwrap_identity(row.sealed_key, crypto.derive_session_key(secret))
        csrf = hashlib.blake2b(secret, digest_size=16, person=b"sealbox-csrf").hexdigest()
        return StaffContext(user.id, user.username, user.role, identity, row.id, csrf)


def log_out(services: Services, context: StaffContext, everywhere: bool = False) -> None:
    with services.db.transaction() as session:
        if everywhere:
            session.execute(delete(StaffSession).where(StaffSession.user_id == context.user_id))
        else:
            session.execute(delete(StaffSession).where(StaffSession.id == context.session_id))


def sweep_expired(services: Services) -> int:
    """Delete idle sessions (their sealed keys go with them)."""
    cutoff = services.clock.timestamp() - services.settings.staff_session_idle_minutes * 60
    with services.db.transaction() as session:
        rows = session.scalars(select(StaffSession.id).where(StaffSession.last_seen < cutoff)).all()
        session.execute(delete(StaffSession).where(StaffSession.id.in_(rows)))
        return len(rows)
