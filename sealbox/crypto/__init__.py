"""The only door to the cipher: seal, unseal, wrap, unwrap, derive.

Nothing outside this package imports pyrage, argon2, `cryptography` or `webauthn`.
"""

from sealbox.crypto.envelope import (
    Readable,
    seal,
    seal_stream,
    unseal,
    unseal_stream,
    unwrap_identity,
    wrap_identity,
)
from sealbox.crypto.errors import CannotOpen, CryptoError, InvalidKey
from sealbox.crypto.kdf import (
    KdfParams,
    SourceKeys,
    derive_instance_key,
    derive_password_key,
    derive_session_key,
    derive_source_keys,
)
from sealbox.crypto.keys import Identity, Recipient
from sealbox.crypto.passwords import hash_password, verify_password
from sealbox.crypto.sealed import AGE_MAGIC, Sealed, SealedStream
from sealbox.crypto.signing import SigningKey, VerifyKey, keyed_digest, same_digest

__all__ = [
    "AGE_MAGIC",
    "CannotOpen",
    "CryptoError",
    "Identity",
    "InvalidKey",
    "KdfParams",
    "Readable",
    "Recipient",
    "Sealed",
    "SealedStream",
    "SigningKey",
    "SourceKeys",
    "VerifyKey",
    "derive_instance_key",
    "derive_password_key",
    "derive_session_key",
    "derive_source_keys",
    "hash_password",
    "keyed_digest",
    "same_digest",
    "seal",
    "seal_stream",
    "unseal",
    "unseal_stream",
    "unwrap_identity",
    "verify_password",
    "wrap_identity",
]
