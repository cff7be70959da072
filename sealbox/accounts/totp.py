"""Staff second factor (RFC 6238 TOTP). Secrets rest sealed to a key derived from the secrets
file, never in the database in the clear; a fresh secret is made for each enrolment and shown
only to the session that enrols it."""

from __future__ import annotations

import secrets

import pyotp

from sealbox import crypto
from sealbox.crypto import Identity, Recipient, Sealed

ISSUER = "Sealbox"
PURPOSE = "totp"


def instance_key(totp_key: bytes) -> Identity:
    """The key TOTP secrets are sealed to, from the secrets file's `totp_key`."""
    return crypto.derive_instance_key(totp_key, PURPOSE)


def new_secret() -> str:
    """A fresh base32 secret (160 bits)."""
    return pyotp.random_base32(32)


def seal(secret: str, recipient: Recipient) -> Sealed:
    return crypto.seal(secret.encode("ascii"), recipient)


def unseal(sealed: Sealed, key: Identity) -> str:
    return crypto.unseal(sealed, key).decode("ascii")


def otpauth_uri(username: str, secret: str) -> str:
    """The otpauth:// URI an authenticator app scans (SHA-1, 6 digits, 30 s)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def matching_step(secret: str, code: str, now: float, last_step: int) -> int | None:
    """The time step `code` belongs to (one step of drift either way), or None.

    A step at or before `last_step` is refused, so a code is never accepted twice.
    """
    code = "".join(code.split())
    if not secret or len(code) != 6 or not code.isdecimal():
        return None
    # Any script's digits (a keyboard may type Arabic-Indic ones) as the ASCII the app shows.
    code = "".join(str(int(digit)) for digit in code)
    totp = pyotp.TOTP(secret)
    step_now = int(now // totp.interval)
    for step in (step_now - 1, step_now, step_now + 1):
        expected = totp.at(step * totp.interval)
        if step > last_step and secrets.compare_digest(expected, code):
            return step
    return None
