"""Per-instance secrets, created once by `sealbox init` and shared by every worker via the DB."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox.store.models import InstanceSecret

_NAMES = ("source_salt", "form_key", "cookie_seed")


@dataclass(frozen=True)
class InstanceSecrets:
    source_salt: bytes  # Argon2id salt for passphrases: a guess is tied to this instance
    form_key: bytes  # HMAC key for form tokens (CSRF)
    cookie_seed: bytes  # seed of the key that seals source session cookies


def ensure(session: Session) -> InstanceSecrets:
    """Load the instance secrets, creating any that are missing (first start)."""
    stored = {row.name: row.value for row in session.scalars(select(InstanceSecret))}
    for name in _NAMES:
        if name not in stored:
            stored[name] = secrets.token_bytes(32)
            session.add(InstanceSecret(name=name, value=stored[name]))
    session.flush()
    return InstanceSecrets(**{name: stored[name] for name in _NAMES})
