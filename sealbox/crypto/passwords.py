"""Staff password verification hashes (Argon2id, PHC string format)."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from sealbox.crypto.kdf import KdfParams

_HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4)


@lru_cache(maxsize=8)
def _dummy(params: KdfParams | None) -> str:
    """A hash to verify against when the account does not exist, so timing does not tell."""
    return hash_password("sealbox-no-such-account", params)


def hash_password(password: str, params: KdfParams | None = None) -> str:
    """An Argon2id PHC string; its cost travels inside it, so verifying needs no parameters."""
    if params is None:
        return _HASHER.hash(password)
    hasher = PasswordHasher(
        time_cost=params.iterations, memory_cost=params.memory_kib, parallelism=params.lanes
    )
    return hasher.hash(password)


def verify_password(stored: str | None, password: str, params: KdfParams | None = None) -> bool:
    """True when `password` matches; always pays the full Argon2id cost (`params` is the cost
    new hashes are made with, used for the stand-in when there is no stored hash)."""
    try:
        return _HASHER.verify(stored or _dummy(params), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
