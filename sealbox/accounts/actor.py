"""Who is asking: the staff member behind a request, as every domain service receives them."""

from __future__ import annotations

from dataclasses import dataclass

from sealbox.crypto import Identity, Recipient


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
    # While enrolling: the fresh authenticator secret only this session has seen.
    enrol_totp: str | None = None
    # Where this session's key is sealed (a public key; its private half needs the cookie).
    session_recipient: Recipient | None = None
