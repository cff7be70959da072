"""Typed age X25519 keys: an `Identity` decrypts, a `Recipient` encrypts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from pyrage import IdentityError, RecipientError, x25519

from sealbox.crypto import bech32
from sealbox.crypto.errors import InvalidKey


@dataclass(frozen=True, slots=True)
class Recipient:
    """A public key; anything sealed to it opens only with the matching identity."""

    _key: x25519.Recipient

    @classmethod
    def parse(cls, text: str) -> Recipient:
        """Parse an `age1...` public key, as printed by `age-keygen`."""
        try:
            return cls(x25519.Recipient.from_str(text.strip()))
        except (RecipientError, ValueError) as exc:
            raise InvalidKey("This is not an age public key (it should start with age1).") from exc

    def __str__(self) -> str:
        return str(self._key)

    @property
    def fingerprint(self) -> str:
        """Five groups of four hex digits (80 bits) that two people can compare by voice."""
        digest = hashlib.sha256(str(self._key).encode("ascii")).hexdigest()[:20]
        return " ".join(digest[i : i + 4] for i in range(0, 20, 4))


class Identity:
    """A private key. Its text form is never logged or stored unsealed."""

    __slots__ = ("_key",)

    def __init__(self, key: x25519.Identity) -> None:
        self._key = key

    @classmethod
    def generate(cls) -> Identity:
        return cls(x25519.Identity.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> Identity:
        """Build the identity whose X25519 scalar is `seed` (32 bytes from a KDF)."""
        if len(seed) != 32:
            raise ValueError("an X25519 seed is 32 bytes")
        return cls(x25519.Identity.from_str(bech32.encode("age-secret-key-", seed).upper()))

    @classmethod
    def parse(cls, text: str) -> Identity:
        """Parse an `AGE-SECRET-KEY-1...` identity, skipping comment lines as age does."""
        lines = [line.strip() for line in text.splitlines()]
        keys = [line for line in lines if line and not line.startswith("#")]
        if len(keys) != 1:
            raise InvalidKey("An identity file must hold exactly one AGE-SECRET-KEY line.")
        try:
            return cls(x25519.Identity.from_str(keys[0]))
        except (IdentityError, ValueError) as exc:
            raise InvalidKey("This is not an age identity (AGE-SECRET-KEY-1...).") from exc

    @property
    def recipient(self) -> Recipient:
        return Recipient(self._key.to_public())

    def export(self) -> str:
        """The identity in age's file format; only for handing to its owner."""
        return f"# public key: {self.recipient}\n{self._key}\n"

    def __repr__(self) -> str:
        return f"Identity(public={self.recipient})"
