"""Staff accounts: creation, enrolment by the holder, password + second factor login (a TOTP
code on the login form, or a security key on the next page), with a back-off (login_backoff).

An account is created with a one-time password only. Its holder enrols at first login: a fresh
authenticator secret, then their own password, under which their key pair is made. Nobody who
saw the one-time password (the admin who made the account) ever learns a secret that opens it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox import crypto
from sealbox.accounts import factor_policy, password_policy, roles, totp
from sealbox.accounts.login_backoff import Backoff
from sealbox.accounts.models import User
from sealbox.accounts.roles import Role
from sealbox.clock import Clock
from sealbox.crypto import Identity, Recipient
from sealbox.errors import BadInput, Conflict, DamagedData, LoginFailed, SealboxError
from sealbox.kdf_queue import KdfQueue

MIN_PASSWORD_LENGTH = password_policy.MIN_LENGTH
# Names the audit log uses for the command line and the background jobs: no account may take
# one (an admin named "cli" would pass for the installer).
RESERVED_NAMES = ("cli", "system", "setup")


@dataclass(frozen=True)
class NewUser:
    user: User
    # Opens the enrolment pages only: the account holds no key and no authenticator yet.
    password: str


@dataclass(frozen=True)
class PasswordCheck:
    stored: str | None  # the hash the password was checked against
    right: bool


@dataclass(frozen=True)
class StaffLogin:
    user: User
    identity: Identity | None  # None for offline-key handlers and accounts not enrolled yet
    # The step the session must finish before anything else (see StaffSession.pending) or None.
    pending: str | None = None


def generate_password() -> str:
    """A random one-time password for a new account (about 120 bits)."""
    return secrets.token_urlsafe(15)


def create_user(session: Session, clock: Clock, kdf: KdfQueue, username: str, role: str) -> NewUser:
    """Add an account with a one-time password and nothing else: no key pair, no authenticator.

    Its holder makes both at first login (`confirm_totp`, `change_password`); until then the
    account receives no key wrap. Who may grant which role is decided in `accounts/staff_admin.py`.
    """
    username = username.strip()
    plain = username.replace("-", "").replace("_", "").replace(".", "")
    if not username or len(username) > 64 or not plain.isalnum():
        raise BadInput("A username is 1-64 letters, digits, dots, dashes or underscores.")
    if username.lower() in RESERVED_NAMES:
        raise BadInput("This username is reserved for Sealbox itself; choose another.")
    if role not in (*roles.ROLES, Role.NONE):
        raise BadInput(
            "Unknown role “%(role)s”; choose one of %(roles)s.",
            role=role,
            roles=", ".join(roles.ROLES),
        )
    if session.scalar(select(User).where(User.username == username)):
        raise Conflict("A user named “%(name)s” already exists.", name=username)
    password = generate_password()
    user = User(
        username=username,
        role=role,
        password_hash=kdf.hash_password(password),
        created_at=clock.now(),
        must_change_password=True,
        totp_confirmed=False,
    )
    session.add(user)
    session.flush()
    return NewUser(user=user, password=password)


def authenticate(
    session: Session,
    clock: Clock,
    backoff: Backoff,
    username: str,
    checked: PasswordCheck,
    totp_code: str,
    totp_key: Identity,
    name_waits: bool = False,
    known_device: str | None = None,
) -> StaffLogin | SealboxError:
    """Decide the password step of a login from its password check (made before, off any
    transaction) and the TOTP code if one was given (its secret opened with `totp_key`).
    The account's key is opened by `open_key` after.

    While the name waits (`name_waits`, see login_backoff) the right password alone fails like
    a wrong one; see `_shows_more`. Every failure gets the same answer. A failure is returned,
    not raised, so that the caller commits the back-off.
    """
    user = session.scalar(select(User).where(User.username == username.strip()))
    now = clock.timestamp()
    # The hash checked must still be the account's (a password may have changed meanwhile).
    password_ok = user is not None and checked.right and checked.stored == user.password_hash
    failed = LoginFailed("The username, password or code is not right.")
    if user is None or not user.active or not password_ok:
        return failed
    if name_waits and not _shows_more(session, user, totp_code, known_device):
        return failed
    # An account with no second factor yet logs in to the enrolment pages only.
    if not has_second_factor(session, user):
        return StaffLogin(user=user, identity=None, pending=pending_step(session, user))
    if backoff.waiting(user, now):
        return failed
    # An account with a security key may leave the code empty (or must, where its role takes
    # keys only): the session asks for the key next. Without a key, a missing code fails like
    # a wrong one, so that the password alone is never confirmed.
    keys = factor_policy.key_count(session, user.id) > 0
    if keys and not (totp_code.strip() and factor_policy.totp_counts(session, user)):
        return StaffLogin(user=user, identity=None, pending="factor")
    # The code is only checked (and so used up) once the password is right.
    if not check_totp(user, totp_code, now, totp_key):
        backoff.failed(user, now)
        return failed
    backoff.passed(user)
    return StaffLogin(user=user, identity=None, pending=pending_step(session, user))


def _shows_more(session: Session, user: User, totp_code: str, known_device: str | None) -> bool:
    """Whether a login with the right password shows more than the password, as it must while
    the name waits: a code that counts for the account (checked next, like any code), or a
    browser that finished a full login of this account before (known_devices)."""
    # Ordered so that the right password alone, the usual guess, costs no more queries than a
    # wrong one.
    if known_device == user.id:
        return True
    # A newcomer's one-time password (made by Sealbox, about 120 bits) cannot be guessed, and
    # its holder has nothing more to show yet: a wait must not keep them from enrolling.
    if user.must_change_password and not has_second_factor(session, user):
        return True
    return bool(totp_code.strip()) and factor_policy.totp_counts(session, user)


def check_password(kdf: KdfQueue, stored: str | None, password: str) -> PasswordCheck:
    """One Argon2id run against `stored` (None: an unknown name, checked against a stand-in)."""
    return PasswordCheck(stored=stored, right=kdf.verify_password(stored, password))


def open_key(kdf: KdfQueue, user: User, password: str) -> Identity | None:
    """The private key of `user`, unwrapped with `password` (after the password step)."""
    if user.wrapped_private_key is None:
        return None
    wrapping = kdf.password_key(password, user.key_salt or b"")
    try:
        return crypto.unwrap_identity(user.wrapped_private_key, wrapping)
    except crypto.CannotOpen as exc:
        raise DamagedData(
            "Your password is right, but your key could not be opened: the stored key is "
            "damaged or the server's key settings (kdf) changed. Ask an administrator."
        ) from exc


def has_second_factor(session: Session, user: User) -> bool:
    return user.totp_confirmed or factor_policy.key_count(session, user.id) > 0


def pending_step(session: Session, user: User) -> str | None:
    """What a session of `user` must finish first: a second factor to enrol ("totp", or "key"
    where the role takes security keys only), then an own password."""
    if factor_policy.key_count(session, user.id) == 0 and (
        not user.totp_confirmed or not factor_policy.totp_allowed(session, user.role)
    ):
        return "totp" if factor_policy.totp_allowed(session, user.role) else "key"
    if user.must_change_password:
        return "password"
    return None


def confirm_totp(user: User, secret: str, code: str, now: float, recipient: Recipient) -> None:
    """Finish enrolment of the authenticator holding `secret` (this session's fresh one):
    the code proves the app holds it; the secret is then kept sealed to `recipient`."""
    step = totp.matching_step(secret, code, now, user.totp_last_step)
    if step is None:
        raise BadInput(
            "That code is not right. Check the time on your phone and try the next code."
        )
    user.totp_sealed = totp.seal(secret, recipient)
    user.totp_last_step = step
    user.totp_confirmed = True


def needs_key(user: User) -> bool:
    """True for an account that reads sealed data but has no key yet (its holder enrols it)."""
    return user.role not in roles.KEYLESS and user.public_key is None


def change_password(
    user: User,
    identity: Identity | None,
    current: str,
    new: str,
    confirm: str,
    kdf: KdfQueue,
    offline_key: str = "",
) -> Identity | None:
    """Set the password the holder chose; returns the key their session holds from now on.

    An account without a key gets its key pair now, made and wrapped under this password alone
    (or, for a handler, registers the public key of the identity they keep offline). An account
    with a key keeps it, re-wrapped under the new password.
    """
    if not kdf.verify_password(user.password_hash, current):
        raise BadInput("The current password is not right.")
    if new != confirm:
        raise BadInput("The two new passwords are not the same.")
    if new == current:
        raise BadInput("The new password must differ from the current one.")
    password_policy.check(new, user.username)
    offline_key = offline_key.strip()
    if offline_key and not needs_key(user):
        raise BadInput("An offline key is registered once, when the account is set up.")
    if offline_key and user.role != Role.HANDLER:
        raise BadInput("Only case handlers can keep their key offline.")
    if offline_key:
        try:
            user.public_key = str(Recipient.parse(offline_key))
        except crypto.InvalidKey as exc:
            raise BadInput(
                "This is not an age public key: it starts with age1 (age-keygen prints it)."
            ) from exc
        identity = None
    elif needs_key(user):
        identity = Identity.generate()
        user.public_key = str(identity.recipient)
        user.key_salt = secrets.token_bytes(16)
        wrapping = kdf.password_key(new, user.key_salt)
        user.wrapped_private_key = crypto.wrap_identity(identity, wrapping.recipient)
    elif user.wrapped_private_key is not None:
        if identity is None:
            wrapping = kdf.password_key(current, user.key_salt or b"")
            identity = crypto.unwrap_identity(user.wrapped_private_key, wrapping)
        user.key_salt = secrets.token_bytes(16)
        wrapping = kdf.password_key(new, user.key_salt)
        user.wrapped_private_key = crypto.wrap_identity(identity, wrapping.recipient)
    user.password_hash = kdf.hash_password(new)
    user.must_change_password = False
    return identity


def reset_totp(user: User) -> None:
    """Forget `user`'s authenticator; they enrol a fresh one at their next password login."""
    user.totp_sealed = None
    user.totp_confirmed = False
    user.totp_last_step = 0


def check_totp(user: User, code: str, now: float, key: Identity) -> bool:
    """RFC 6238 with one step of drift either way; a code is never accepted twice."""
    if user.totp_sealed is None:
        return False
    try:
        secret = totp.unseal(user.totp_sealed, key)
    except crypto.CannotOpen as exc:
        raise DamagedData(
            "Your authenticator could not be checked: the server's secrets file is not the one "
            "it was set up with. Ask an administrator to restore it from the backup."
        ) from exc
    step = totp.matching_step(secret, code, now, user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def get_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))
