"""Ed25519 signatures (audit anchors) and keyed digests (audit entries), typed and small."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sealbox.crypto.errors import InvalidKey


class VerifyKey:
    """A public Ed25519 key; its text form is 64 hex digits."""

    __slots__ = ("_key",)

    def __init__(self, key: Ed25519PublicKey) -> None:
        self._key = key

    @classmethod
    def parse(cls, text: str) -> VerifyKey:
        try:
            return cls(Ed25519PublicKey.from_public_bytes(bytes.fromhex(text.strip())))
        except ValueError as exc:
            raise InvalidKey("This is not an Ed25519 public key (64 hex digits).") from exc

    def verify(self, signature: bytes, message: bytes) -> bool:
        """True when `signature` was made over `message` by this key's private half."""
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def __str__(self) -> str:
        return self._key.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VerifyKey) and str(other) == str(self)

    def __hash__(self) -> int:
        return hash(str(self))


class SigningKey:
    """A private Ed25519 key, built from a 32-byte seed kept in the instance secrets file."""

    __slots__ = ("_key",)

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key

    @classmethod
    def from_seed(cls, seed: bytes) -> SigningKey:
        if len(seed) != 32:
            raise ValueError("an Ed25519 seed is 32 bytes")
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def verify_key(self) -> VerifyKey:
        return VerifyKey(self._key.public_key())

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def __repr__(self) -> str:
        return f"SigningKey(public={self.verify_key})"


def keyed_digest(key: bytes, purpose: str, message: bytes) -> str:
    """HMAC-SHA256 of `message` under `key`, separated by `purpose`; 64 hex digits."""
    return hmac.new(key, purpose.encode() + b"\0" + message, hashlib.sha256).hexdigest()


def same_digest(a: str, b: str) -> bool:
    """Compare two digests in constant time."""
    return hmac.compare_digest(a.encode(), b.encode())
