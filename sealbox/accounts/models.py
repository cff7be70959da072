"""The tables of accounts. Every column that could hold something a source wrote is sealed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from sealbox.crypto import Sealed
from sealbox.store.base import Base, new_id
from sealbox.store.types import SealedColumn


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # The TOTP secret, sealed to a key derived from the secrets file's `totp_key`: a copy of the
    # database alone holds no second factor.
    totp_sealed: Mapped[Sealed | None] = mapped_column(SealedColumn)
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)
    public_key: Mapped[str | None] = mapped_column(String(128))
    # The private key, sealed to a key derived from the password the holder chose at enrolment;
    # absent for offline-key users and for accounts whose holder has not enrolled yet.
    wrapped_private_key: Mapped[Sealed | None] = mapped_column(SealedColumn)
    key_salt: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Set for keys made by an older release when the account was created (under a password its
    # creator saw): the key is replaced at the holder's next login (accounts/key_rotation.py).
    key_rotation_due: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[float] = mapped_column(Float, default=0.0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # Where notifications go (new reports, reminders, alerts); never shown to sources.
    email: Mapped[str | None] = mapped_column(String(254))
    # A first login (or an admin's reset) must choose a new password before anything else.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # False until the staff member proves their authenticator works (enrolment page).
    totp_confirmed: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    @property
    def offline(self) -> bool:
        """A public key only (the private key never touches the server); keyless roles are not."""
        return self.wrapped_private_key is None and self.public_key is not None


class StaffSession(Base):
    """Server-side staff sessions; the unwrapped key is sealed under a secret only the cookie holds.

    Several workers share them through the database.
    """

    __tablename__ = "staff_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sealed_key: Mapped[Sealed | None] = mapped_column(SealedColumn)
    last_seen: Mapped[float] = mapped_column(Float)
    # When the session began: it ends settings.staff_session_max_hours later, used or not.
    created: Mapped[float] = mapped_column(Float, server_default="0")
    # The step the session must finish before anything else, None when complete: "factor" (the
    # password was right, the second factor is next), "totp" or "key" (enrol an authenticator or
    # register a security key), "password" (choose an own password).
    pending: Mapped[str | None] = mapped_column(String(16))
    # During authenticator enrolment: the fresh TOTP secret this session shows, sealed like
    # `sealed_key`, so nobody else (an admin holding the one-time password) ever sees it.
    enrol_totp: Mapped[Sealed | None] = mapped_column(SealedColumn)
    # The one open security-key challenge of this session ("login" or "register"), used up by
    # the first answer, right or wrong, and void after `challenge_expires`.
    challenge: Mapped[bytes | None] = mapped_column(LargeBinary)
    challenge_kind: Mapped[str | None] = mapped_column(String(16))
    challenge_expires: Mapped[float | None] = mapped_column(Float)


class SecurityKey(Base):
    """A staff member's WebAuthn credential (a security key or a passkey), a second factor.

    Only public values: the credential id and public key (COSE) the authenticator gave at
    registration, and its signature counter, which must grow at every use (a counter that goes
    back means a copied key: the login is refused).
    """

    __tablename__ = "security_keys"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(64))
    # The ways the browser said it reaches the key ("usb,nfc", "internal,hybrid").
    transports: Mapped[str] = mapped_column(String(128), default="")
    # A passkey that its provider may copy to the holder's other devices (backup eligible).
    synced: Mapped[bool] = mapped_column(Boolean, default=False)
    added_on: Mapped[dt.date] = mapped_column(Date)
    last_used_on: Mapped[dt.date | None] = mapped_column(Date)


class RolePolicy(Base):
    """Per role: whether codes from an authenticator app (TOTP) still count as a second factor.
    A role without a row allows them."""

    __tablename__ = "role_policies"
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    totp_allowed: Mapped[bool] = mapped_column(Boolean, default=True)


class RoleRequest(Base):
    """A role that needs a second person: an account becomes custodian once a custodian approves."""

    __tablename__ = "role_requests"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    requested_by: Mapped[str] = mapped_column(String(64))  # a username, or "cli"
    requested_on: Mapped[dt.date] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)


class SetupCode(Base):
    """The one-time code of the first-run setup page (`accounts/first_run.py`): its keyed digest
    only, when it expires and how many wrong tries it has had. One row at most."""

    __tablename__ = "setup_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    failures: Mapped[int] = mapped_column(Integer, default=0)
