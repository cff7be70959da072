"""Key derivation with Argon2id: passwords and passphrases become keys, never stored values."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw

from sealbox.crypto.keys import Identity


@dataclass(frozen=True, slots=True)
class KdfParams:
    """Argon2id cost. The defaults follow RFC 9106's second recommended option (64 MiB)."""

    memory_kib: int = 64 * 1024
    iterations: int = 3
    lanes: int = 4

    def __post_init__(self) -> None:
        if self.memory_kib < 64 * 1024:
            raise ValueError("Argon2id memory must be at least 64 MiB")


@dataclass(frozen=True, slots=True)
class SourceKeys:
    """What a source's passphrase yields: where to find the report, and the key that opens it."""

    lookup_id: str
    identity: Identity


def _argon2id(secret: bytes, salt: bytes, params: KdfParams, length: int) -> bytes:
    return hash_secret_raw(
        secret=secret,
        salt=salt,
        time_cost=params.iterations,
        memory_cost=params.memory_kib,
        parallelism=params.lanes,
        hash_len=length,
        type=Type.ID,
    )


def derive_source_keys(passphrase: str, instance_salt: bytes, params: KdfParams) -> SourceKeys:
    """Passphrase -> Argon2id -> (lookup id, source identity). Same cost for right and wrong."""
    material = _argon2id(passphrase.encode("utf-8"), instance_salt, params, 64)
    # The lookup id is hashed once more so that the stored value and the key never share bytes.
    lookup = hashlib.blake2b(material[:32], digest_size=32, person=b"sealbox-lookup").hexdigest()
    return SourceKeys(lookup_id=lookup, identity=Identity.from_seed(material[32:]))


def derive_password_key(password: str, salt: bytes, params: KdfParams) -> Identity:
    """The key that a staff member's private key rests wrapped under."""
    return Identity.from_seed(_argon2id(password.encode("utf-8"), salt, params, 32))


def derive_instance_key(seed: bytes, purpose: str) -> Identity:
    """A key for one `purpose` ("totp", ...) from an instance secret kept outside the database."""
    if len(seed) < 32:
        raise ValueError("an instance seed has at least 32 bytes")
    person = b"sealbox-" + purpose.encode("ascii")
    if len(person) > 16:
        raise ValueError("a key purpose has at most 8 ASCII characters")
    return Identity.from_seed(hashlib.blake2b(seed, digest_size=32, person=person).digest())


def derive_session_key(secret: bytes) -> Identity:
    """The key a session's server-side state is sealed under; `secret` lives only in the cookie."""
    return Identity.from_seed(
        hashlib.blake2b(secret, digest_size=32, person=b"sealbox-sess").digest()
    )
