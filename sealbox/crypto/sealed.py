"""Ciphertext types. Storage accepts these and nothing else, so plaintext cannot be stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

AGE_MAGIC = b"age-encryption.org/v1\n"


class Sealed:
    """An age ciphertext held in memory. Deliberately not a `bytes` subclass."""

    __slots__ = ("_data",)

    def __init__(self, ciphertext: bytes) -> None:
        if not isinstance(ciphertext, bytes) or not ciphertext.startswith(AGE_MAGIC):
            raise TypeError("Sealed holds age ciphertext only")
        self._data = ciphertext

    @property
    def ciphertext(self) -> bytes:
        return self._data

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other._data == self._data

    def __hash__(self) -> int:
        return hash(self._data)

    def __repr__(self) -> str:
        return f"Sealed({len(self._data)} bytes)"


class SealedStream:
    """A stream that is encrypted as it is written out; built only by `crypto.seal_stream`.

    The blob store calls `write_to` with its own file; the plaintext reader is consumed there,
    so the only bytes that reach the file are age ciphertext.
    """

    __slots__ = ("_write",)

    def __init__(self, write: Callable[[BinaryIO], None]) -> None:
        self._write = write

    def write_to(self, sink: BinaryIO) -> None:
        self._write(sink)
