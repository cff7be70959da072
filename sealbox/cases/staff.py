"""Staff accounts: creation, password + TOTP login, per-account lockout."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox import crypto
from sealbox.cases import password_policy
from sealbox.cases.errors import (
    BadInput,
    Conflict,
    DamagedData,
    LoginFailed,
    SealboxError,
    Throttled,
)
from sealbox.cases.roles import ADMIN, AUDITOR, ROLES
from sealbox.clock import Clock
from sealbox.crypto import Identity, KdfParams, Recipient
from sealbox.store.models import User

TOTP_ISSUER = "Sealbox"
KEYLESS_ROLES = (ADMIN, AUDITOR)
MIN_PASSWORD_LENGTH = password_policy.MIN_LENGTH


@dataclass(frozen=True)
class NewUser:
    user: User
    password: str | None
    totp_secret: str

    def otpauth_uri(self) -> str:
        return otpauth_uri(self.user.username, self.totp_secret)


def otpauth_uri(username: str, secret: str) -> str:
    """The otpauth:// URI an authenticator app scans (RFC 6238, SHA-1, 6 digits, 30 s)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)


@dataclass(frozen=True)
class StaffLogin:
    user: User
    identity: Identity | None  # None for offline-key handlers
    # The step the session must finish before anything else: "totp", "password" or None.
    pending: str | None = None


def generate_password() -> str:
    """A random password for a new account (about 120 bits)."""
    return secrets.token_urlsafe(15)


def create_user(
    session: Session,
    clock: Clock,
    kdf: KdfParams,
    username: str,
    role: str,
    password: str | None = None,
    offline_public_key: str | None = None,
    must_change_password: bool = False,
    totp_confirmed: bool = True,
) -> NewUser:
    """Add a staff account. Handlers get a key pair unless they bring an offline public key.

    Accounts made on the web start with a one-time password and an unconfirmed authenticator,
    so that their first login chooses a password and enrols TOTP.
    """
    username = username.strip()
    plain = username.replace("-", "").replace("_", "").replace(".", "")
    if not username or len(username) > 64 or not plain.isalnum():
        raise BadInput("A username is 1-64 letters, digits, dots, dashes or underscores.")
    if role not in ROLES:
        raise BadInput(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    if session.scalar(select(User).where(User.username == username)):
        raise Conflict(f"A user named {username!r} already exists.")
    if password:
        password_policy.check(password, username)
    password = password or generate_password()
    user = User(
        username=username,
        role=role,
        password_hash=crypto.hash_password(password, kdf),
        totp_secret=pyotp.random_base32(),
        created_at=clock.now(),
        must_change_password=must_change_password,
        totp_confirmed=totp_confirmed,
    )
    if role in KEYLESS_ROLES:
        # Admins and auditors never receive a key wrap, so they get no key pair at all.
        if offline_public_key:
            raise BadInput(f"An {role} holds no key; an offline key is only for handlers.")
    elif offline_public_key:
        user.public_key = str(Recipient.parse(offline_public_key))
    else:
        identity = Identity.generate()
        user.key_salt = secrets.token_bytes(16)
        wrapping = crypto.derive_password_key(password, user.key_salt, kdf)
        user.public_key = str(identity.recipient)
        user.wrapped_private_key = crypto.wrap_identity(identity, wrapping.recipient)
    session.add(user)
    session.flush()
    return NewUser(user=user, password=password, totp_secret=user.totp_secret)


def authenticate(
    session: Session,
    clock: Clock,
    kdf: KdfParams,
    lockout_after: int,
    username: str,
    password: str,
    totp_code: str,
) -> StaffLogin | SealboxError:
    """Check password and TOTP and unwrap the private key.

    A failure is returned, not raised, so that the caller commits the failure count.
    """
    user = session.scalar(select(User).where(User.username == username.strip()))
    now = clock.timestamp()
    if user is not None and user.locked_until > now:
        return Throttled("Too many failed attempts for this account. Try again in a few minutes.")
    password_ok = crypto.verify_password(user.password_hash if user else None, password, kdf)
    # An account whose authenticator is not enrolled yet logs in to the enrolment page only.
    enrolling = user is not None and not user.totp_confirmed
    # The code is only checked (and so used up) once the password is right.
    totp_ok = user is not None and password_ok and (enrolling or _check_totp(user, totp_code, now))
    if user is None or not user.active or not password_ok or not totp_ok:
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= lockout_after:
                excess = user.failed_logins - lockout_after
                user.locked_until = now + min(3600, 60 * 2**excess)
        return LoginFailed("The username, password or code is not right.")
    user.failed_logins = 0
    identity = None
    if user.wrapped_private_key is not None:
        wrapping = crypto.derive_password_key(password, user.key_salt or b"", kdf)
        try:
            identity = crypto.unwrap_identity(user.wrapped_private_key, wrapping)
        except crypto.CannotOpen:
            return DamagedData(
                "Your password is right, but your key could not be opened: the stored key is "
                "damaged or the server's key settings (kdf) changed. Ask an administrator."
            )
    return StaffLogin(user=user, identity=identity, pending=pending_step(user))


def pending_step(user: User) -> str | None:
    """What a session of `user` must finish first: enrol TOTP, then choose a password."""
    if not user.totp_confirmed:
        return "totp"
    if user.must_change_password:
        return "password"
    return None


def confirm_totp(user: User, code: str, now: float) -> None:
    """Finish TOTP enrolment: the code proves the authenticator app holds the secret."""
    if not _check_totp(user, code, now):
        raise BadInput(
            "That code is not right. Check the time on your phone and try the next code."
        )
    user.totp_confirmed = True


def change_password(
    user: User, identity: Identity | None, current: str, new: str, confirm: str, kdf: KdfParams
) -> None:
    """Set a new password and re-wrap the private key under it (the key itself is unchanged)."""
    if not crypto.verify_password(user.password_hash, current):
        raise BadInput("The current password is not right.")
    if new != confirm:
        raise BadInput("The two new passwords are not the same.")
    if new == current:
        raise BadInput("The new password must differ from the current one.")
    password_policy.check(new, user.username)
    if user.wrapped_private_key is not None:
        if identity is None:
            wrapping = crypto.derive_password_key(current, user.key_salt or b"", kdf)
            identity = crypto.unwrap_identity(user.wrapped_private_key, wrapping)
        user.key_salt = secrets.token_bytes(16)
        wrapping = crypto.derive_password_key(new, user.key_salt, kdf)
        user.wrapped_private_key = crypto.wrap_identity(identity, wrapping.recipient)
    user.password_hash = crypto.hash_password(new, kdf)
    user.must_change_password = False


def reset_totp(user: User) -> None:
    """Give `user` a new, unconfirmed authenticator secret; they enrol it at their next login."""
    user.totp_secret = pyotp.random_base32()
    user.totp_confirmed = False
    user.totp_last_step = 0


def _check_totp(user: User, code: str, now: float) -> bool:
    """RFC 6238 with one step of drift either way; a code is never accepted twice."""
    code = "".join(code.split())
    if not user.totp_secret or len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    step_now = int(now // totp.interval)
    for step in (step_now - 1, step_now, step_now + 1):
        expected = totp.at(step * totp.interval)
        if step > user.totp_last_step and secrets.compare_digest(expected, code):
            user.totp_last_step = step
            return True
    return False


def get_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))
