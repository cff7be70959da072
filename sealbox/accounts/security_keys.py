"""Staff security keys and passkeys (WebAuthn): register, name, remove, and check one at login.

Every challenge belongs to one server-side session, is used up by the first answer (right or
wrong) and expires. A key whose signature counter goes back is a copy: the login is refused,
audited and mailed to the holder. Adding and removing keys is audited and mailed too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox import audit, notify
from sealbox.accounts import factor_policy
from sealbox.accounts.models import SecurityKey, StaffSession, User
from sealbox.audit.actions import AuditAction
from sealbox.clock import Clock
from sealbox.crypto import passkeys
from sealbox.errors import BadInput, Conflict, LoginFailed, NotFound
from sealbox.settings import Settings

REGISTER = "register"
LOGIN = "login"
MAX_KEYS = 10
NAME_LENGTH = 64


class CopiedKey(LoginFailed):
    """A validly signed answer whose counter did not grow: two authenticators share the key."""


@dataclass(frozen=True)
class KeyInfo:
    id: str
    name: str
    synced: bool
    added_on: object
    last_used_on: object


def relying_party(settings: Settings) -> passkeys.RelyingParty:
    """This instance as a WebAuthn relying party, from its public URL."""
    if not settings.webauthn_origin:
        raise BadInput(
            "Security keys need this instance's public address: an administrator sets "
            "SEALBOX_PUBLIC_URL (see the README)."
        )
    return passkeys.RelyingParty(
        id=settings.webauthn_rp_id,
        name="Sealbox",
        origin=settings.webauthn_origin,
        timeout_ms=settings.staff_second_factor_seconds * 1000,
    )


def keys_of(session: Session, user_id: str) -> list[KeyInfo]:
    rows = session.scalars(
        select(SecurityKey).where(SecurityKey.user_id == user_id).order_by(SecurityKey.added_on)
    )
    return [KeyInfo(k.id, k.name, k.synced, k.added_on, k.last_used_on) for k in rows]


def _known(session: Session, user_id: str) -> list[passkeys.KnownKey]:
    rows = session.scalars(select(SecurityKey).where(SecurityKey.user_id == user_id))
    return [
        passkeys.KnownKey(k.credential_id, tuple(filter(None, k.transports.split(","))))
        for k in rows
    ]


def _open_challenge(row: StaffSession, kind: str, now: float, settings: Settings) -> bytes:
    challenge = passkeys.new_challenge()
    row.challenge = challenge
    row.challenge_kind = kind
    row.challenge_expires = now + settings.staff_second_factor_seconds
    return challenge


def _take_challenge(row: StaffSession, kind: str, now: float) -> bytes:
    """The session's open challenge of `kind`, used up now whatever the answer."""
    challenge, expires = row.challenge, row.challenge_expires or 0.0
    matches = row.challenge_kind == kind
    row.challenge = row.challenge_kind = row.challenge_expires = None
    if challenge is None or not matches or now > expires:
        raise BadInput("This security-key request has expired or was already answered. Try again.")
    return challenge


def registration_options(
    session: Session, settings: Settings, now: float, user: User, row: StaffSession
) -> str:
    """Open a registration challenge for `user` in this session; the JSON for the browser."""
    rp = relying_party(settings)
    if len(_known(session, user.id)) >= MAX_KEYS:
        raise BadInput("You have ten security keys already; remove one before adding another.")
    challenge = _open_challenge(row, REGISTER, now, settings)
    return passkeys.registration_options(
        rp, user.id.encode("ascii"), user.username, challenge, _known(session, user.id)
    )


def check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > NAME_LENGTH:
        raise BadInput("Give the key a name of 1 to 64 characters, such as “blue USB key”.")
    return name


def register(
    session: Session,
    clock: Clock,
    settings: Settings,
    user: User,
    row: StaffSession,
    name: str,
    response: str,
) -> SecurityKey:
    """Store the key that answered this session's registration challenge; audited and mailed."""
    challenge = _take_challenge(row, REGISTER, clock.timestamp())
    name = check_name(name)
    try:
        new = passkeys.verify_registration(relying_party(settings), response, challenge)
    except passkeys.KeyRejected:
        raise BadInput(
            "The security key's answer could not be verified. Try again on this instance's "
            "own address."
        ) from None
    if session.scalar(select(SecurityKey.id).where(SecurityKey.credential_id == new.credential_id)):
        raise Conflict("This security key is registered already.")
    key = SecurityKey(
        user_id=user.id,
        credential_id=new.credential_id,
        public_key=new.public_key,
        sign_count=new.sign_count,
        name=name,
        transports=",".join(new.transports)[:128],
        synced=new.synced,
        added_on=clock.today(),
    )
    session.add(key)
    session.flush()
    audit.record(
        session,
        clock,
        user.username,
        AuditAction.SECURITY_KEY_ADDED,
        f"user:{user.id}",
        key=key.id,
        name=name,
        synced=new.synced,
    )
    notify.second_factor_changed(
        session,
        clock,
        user,
        f"A security key named “{name}” was added to your account {user.username}.",
    )
    return key


def remove(session: Session, clock: Clock, user: User, key_id: str) -> None:
    """Remove one of `user`'s keys; never the last second factor that counts for their role."""
    key = session.get(SecurityKey, key_id)
    if key is None or key.user_id != user.id:
        raise NotFound("This security key does not exist.")
    others = factor_policy.key_count(session, user.id) - 1
    totp_left = user.totp_confirmed and factor_policy.totp_allowed(session, user.role)
    if others == 0 and not totp_left:
        raise BadInput(
            "This is your last second factor: add another security key before removing it."
        )
    session.delete(key)
    audit.record(
        session,
        clock,
        user.username,
        AuditAction.SECURITY_KEY_REMOVED,
        f"user:{user.id}",
        key=key.id,
        name=key.name,
    )
    notify.second_factor_changed(
        session,
        clock,
        user,
        f"The security key named “{key.name}” was removed from your account {user.username}.",
    )


def login_options(
    session: Session, settings: Settings, now: float, user: User, row: StaffSession
) -> str:
    """Open a login challenge for the keys of `user` in this half-logged-in session."""
    rp = relying_party(settings)
    known = _known(session, user.id)
    if not known:
        raise BadInput("Your account has no security key; use your authenticator code.")
    challenge = _open_challenge(row, LOGIN, now, settings)
    return passkeys.authentication_options(rp, challenge, known)


def check_login(
    session: Session, clock: Clock, settings: Settings, user: User, row: StaffSession, response: str
) -> SecurityKey:
    """The key of `user` that answered this session's login challenge; LoginFailed if none
    did, CopiedKey (after auditing and mailing it) if its counter went back."""
    challenge = _take_challenge(row, LOGIN, clock.timestamp())
    refused = LoginFailed("The security key was not accepted. Try again, or use another key.")
    try:
        credential_id = passkeys.credential_id_of(response)
    except passkeys.KeyRejected:
        raise refused from None
    key = session.scalar(
        select(SecurityKey).where(
            SecurityKey.credential_id == credential_id, SecurityKey.user_id == user.id
        )
    )
    if key is None:
        raise refused
    try:
        answer = passkeys.verify_assertion(
            relying_party(settings), response, challenge, key.public_key
        )
    except passkeys.KeyRejected:
        raise refused from None
    if (answer.sign_count or key.sign_count) and answer.sign_count <= key.sign_count:
        audit.record(
            session,
            clock,
            user.username,
            AuditAction.SECURITY_KEY_COPY_REFUSED,
            f"user:{user.id}",
            key=key.id,
            name=key.name,
            stored_count=key.sign_count,
            answered_count=answer.sign_count,
        )
        notify.second_factor_changed(
            session,
            clock,
            user,
            f"A login to your account {user.username} with the security key “{key.name}” was "
            "refused: the key's counter went back, which means a copy of it exists. Remove "
            "the key and tell your auditors.",
        )
        raise CopiedKey(
            "This security key looks copied (its counter went back): the login was refused "
            "and your auditors can see it. Use another key."
        )
    key.sign_count = answer.sign_count
    key.last_used_on = clock.today()
    return key
