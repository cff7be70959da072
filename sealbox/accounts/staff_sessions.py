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
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sealbox import audit, crypto
from sealbox.accounts import key_rotation, known_devices, staff, totp
from sealbox.accounts.actor import StaffContext
from sealbox.accounts.login_backoff import Backoff
from sealbox.accounts.models import StaffSession, User
from sealbox.accounts.roles import Role
from sealbox.audit.actions import AuditAction
from sealbox.crypto import CannotOpen, Identity, Recipient
from sealbox.errors import BadInput, SessionExpired
from sealbox.recovery import wraps as recovery_wraps
from sealbox.store import erase

if TYPE_CHECKING:
    from sealbox.services import Services


def _session_row_id(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def log_in(
    services: Services, username: str, password: str, totp_code: str, device: str | None = None
) -> str:
    """Authenticate and open a session; returns the cookie value. `device` is the browser's
    known-device mark, if it has one (known_devices).

    The password is checked (one Argon2id run, whatever the outcome) between two short
    transactions: a derivation that waits in the queue holds no database connection.
    """
    name = username.strip()
    with services.db.transaction() as session:
        user = staff.get_user(session, name)
        stored = user.password_hash if user is not None else None
    checked = staff.check_password(services.kdf, stored, password)
    backoff = Backoff.for_settings(services.settings)
    names = services.login_names
    # Asked after the derivation: tries sent all at once are held back as soon as one of
    # them starts the wait.
    waits = names.waiting(name, services.clock.timestamp())
    with services.db.transaction() as session:
        outcome = staff.authenticate(
            session,
            services.clock,
            backoff,
            name,
            checked,
            totp_code,
            totp.instance_key(services.secrets.totp_key),
            name_waits=waits,
            known_device=known_devices.holder(services, device),
        )
        if not isinstance(outcome, staff.StaffLogin):
            user = staff.get_user(session, name)
            audit.record(
                session,
                services.clock,
                user.username if user else None,
                AuditAction.LOGIN_FAILED,
                f"user:{user.id}" if user else None,
            )
    if not isinstance(outcome, staff.StaffLogin):
        names.failed(name, services.clock.timestamp(), backoff)
        raise outcome
    if outcome.pending != "factor":
        names.passed(name)
    # The second derivation (the key's wrapping) only ever follows a successful login.
    identity = staff.open_key(services.kdf, outcome.user, password)
    rotated = False
    with services.db.transaction() as session:
        user = session.get_one(User, outcome.user.id)
        # Only the password step has the password: a login that goes on to its second
        # factor ("factor") rotates here too, or a key holder's old key would never go.
        rotate = outcome.pending in (None, "factor")
        if identity is not None and user.key_rotation_due and rotate:
            # A key from an older release, made under a password someone else saw: replace
            # it now that the holder's own password is here. Sessions with the old key end.
            erase.delete_overwritten(session, StaffSession, StaffSession.user_id == user.id)
            identity = key_rotation.rotate(
                session, services.clock, user, identity, password, services.kdf
            )
            rotated = True
        if identity is not None:
            _catch_up_recovery(services, session, user, identity)
        cookie = _open_session(services, session, outcome, identity)
    if rotated:
        services.db.forget(*key_rotation.TOUCHED, "staff_sessions")
    return cookie


def _catch_up_recovery(
    services: Services, session: Session, user: User, identity: Identity
) -> None:
    """Wrap to the recovery keys the report keys this holder opens that still lack a wrap
    (made before a recovery key was registered): the holder's key is open only now."""
    added = recovery_wraps.catch_up(session, user.id, identity)
    if added:
        audit.record(
            session,
            services.clock,
            user.username,
            AuditAction.RECOVERY_WRAPPED,
            f"user:{user.id}",
            keys=added,
        )


def _open_session(
    services: Services, session: Session, outcome: staff.StaffLogin, identity: Identity | None
) -> str:
    """Add the session row for a successful login; returns the cookie value."""
    sid, secret = secrets.token_urlsafe(24), secrets.token_bytes(32)
    session_recipient = crypto.derive_session_key(secret).recipient
    sealed = None
    if identity is not None:
        sealed = crypto.wrap_identity(identity, session_recipient)
    # Each enrolling session gets its own fresh secret: one that someone else saw in another
    # session (with the one-time password) can never become the account's.
    enrol_totp = None
    if outcome.pending == "totp":
        enrol_totp = totp.seal(totp.new_secret(), session_recipient)
    session.add(
        StaffSession(
            id=_session_row_id(sid),
            user_id=outcome.user.id,
            sealed_key=sealed,
            last_seen=services.clock.timestamp(),
            created=services.clock.timestamp(),
            pending=outcome.pending,
            enrol_totp=enrol_totp,
        )
    )
    # A password without its second factor yet is not a login (accounts/second_factor.py).
    action = AuditAction.LOGIN_PASSWORD if outcome.pending == "factor" else AuditAction.LOGIN
    audit.record(
        session,
        services.clock,
        outcome.user.username,
        action,
        f"user:{outcome.user.id}",
        **({"pending": outcome.pending} if outcome.pending not in (None, "factor") else {}),
    )
    return f"{sid}.{secret.hex()}"


def _parse(cookie: str | None) -> tuple[str, bytes]:
    """The session id and secret of a cookie value; SessionExpired when it holds none."""
    sid, _, secret_hex = (cookie or "").partition(".")
    try:
        secret = bytes.fromhex(secret_hex)
    except ValueError:
        secret = b""
    if not sid or len(secret) != 32:
        raise SessionExpired("Please log in.")
    return sid, secret


def _csrf(secret: bytes) -> str:
    return hashlib.blake2b(secret, digest_size=16, person=b"sealbox-csrf").hexdigest()


def csrf_of(cookie: str | None) -> str | None:
    """The form token of the session `cookie` names, from the cookie alone: a form can be told
    to be the session's own while the database does not answer. None for no session's cookie."""
    try:
        return _csrf(_parse(cookie)[1])
    except SessionExpired:
        return None


def resume(services: Services, cookie: str | None) -> StaffContext:
    """The context for a request carrying `cookie`; SessionExpired when idle too long or unknown."""
    sid, secret = _parse(cookie)
    now = services.clock.timestamp()
    context = None
    ended = False
    with services.db.transaction() as session:
        row = session.get(StaffSession, _session_row_id(sid))
        if row is not None and _ended(services, row, now):
            ended = True
            # Committed before SessionExpired is raised below.
            erase.delete_overwritten(session, StaffSession, StaffSession.id == row.id)
        elif row is not None:
            context = _context(session, row, secret, now)
    if ended:
        forget(services)
    if context is None:
        raise SessionExpired("Your session has expired. Please log in again.")
    return context


def _context(session: Session, row: StaffSession, secret: bytes, now: float) -> StaffContext:
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise SessionExpired("Please log in.")
    if row.pending == "totp" and row.enrol_totp is None:
        # Opened before enrolment secrets were per session: a new login makes one.
        raise SessionExpired("Please log in.")
    row.last_seen = now
    session_key = crypto.derive_session_key(secret)
    identity = enrol_totp = None
    try:
        if row.sealed_key is not None:
            identity = crypto.unwrap_identity(row.sealed_key, session_key)
        if row.pending == "totp" and row.enrol_totp is not None:  # None: refused above
            enrol_totp = totp.unseal(row.enrol_totp, session_key)
    except CannotOpen:
        raise SessionExpired("Please log in.") from None
    return StaffContext(
        user.id,
        user.username,
        Role(user.role),
        identity,
        row.id,
        _csrf(secret),
        row.pending,
        enrol_totp,
        session_key.recipient,
    )


def _ended(services: Services, row: StaffSession, now: float) -> bool:
    settings = services.settings
    idle = now - row.last_seen > settings.staff_session_idle_minutes * 60
    if row.pending == "factor" and now - row.created > settings.staff_second_factor_seconds:
        return True  # a password alone opens a few minutes' wait for the second factor
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
        action = AuditAction.LOGOUT_EVERYWHERE if everywhere else AuditAction.LOGOUT
        audit.record(session, services.clock, context.username, action, f"user:{context.user_id}")
    forget(services)


def finish_totp(services: Services, context: StaffContext, code: str) -> str | None:
    """Confirm the authenticator this session showed; the session moves to its next step,
    which is returned.

    Every other session of the account ends: one that someone else opened with the one-time
    password must not outlive the holder's enrolment.
    """
    with services.db.transaction() as session:
        user = session.get(User, context.user_id)
        if context.pending != "totp" or user is None or context.enrol_totp is None:
            raise BadInput("Your authenticator is already set up.")
        staff.confirm_totp(
            user,
            context.enrol_totp,
            code,
            services.clock.timestamp(),
            totp.instance_key(services.secrets.totp_key).recipient,
        )
        erase.delete_overwritten(
            session,
            StaffSession,
            StaffSession.user_id == user.id,
            StaffSession.id != context.session_id,
        )
        row = session.get_one(StaffSession, context.session_id)
        row.pending = staff.pending_step(session, user)
        row.enrol_totp = None
        pending = row.pending
        audit.record(
            session, services.clock, user.username, AuditAction.TOTP_ENROLLED, f"user:{user.id}"
        )
    forget(services)
    return pending


def change_password(
    services: Services,
    context: StaffContext,
    current: str,
    new: str,
    confirm: str,
    offline_key: str = "",
) -> None:
    """Change the password; an account without a key gets its key pair now (under this password
    only), any other has its key re-wrapped. Every other session is ended."""
    with services.db.transaction() as session:
        user = session.get(User, context.user_id)
        if context.pending in ("totp", "key") or user is None:
            raise BadInput("Set up your second factor first.")
        first_key = staff.needs_key(user)
        identity = staff.change_password(
            user, context.identity, current, new, confirm, services.kdf, offline_key
        )
        rotated = False
        if identity is not None and user.key_rotation_due:
            identity = key_rotation.rotate(
                session, services.clock, user, identity, new, services.kdf
            )
            rotated = True
        erase.delete_overwritten(
            session,
            StaffSession,
            StaffSession.user_id == user.id,
            StaffSession.id != context.session_id,
        )
        row = session.get_one(StaffSession, context.session_id)
        row.pending = None
        if identity is not None and context.session_recipient is not None:
            row.sealed_key = crypto.wrap_identity(identity, context.session_recipient)
        audit.record(
            session, services.clock, user.username, AuditAction.PASSWORD_CHANGED, f"user:{user.id}"
        )
        if first_key:
            assert user.public_key is not None  # made (or registered offline) just now
            audit.record(
                session,
                services.clock,
                user.username,
                AuditAction.KEY_CREATED,
                f"user:{user.id}",
                offline=identity is None,
                fingerprint=Recipient.parse(user.public_key).fingerprint,
            )
    # The previous wrap of the key (under the old password) must not survive in the WAL or in
    # PostgreSQL's dead tuples, where the old password would still open it.
    services.db.forget(*(key_rotation.TOUCHED if rotated else ("users",)), "staff_sessions")


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
                or_(
                    StaffSession.last_seen < idle_cutoff,
                    StaffSession.created < age_cutoff,
                    (StaffSession.pending == "factor")
                    & (StaffSession.created < now - settings.staff_second_factor_seconds),
                )
            )
        ).all()
        erase.delete_overwritten(session, StaffSession, StaffSession.id.in_(rows))
    forget(services)
    return len(rows)
