"""Seal and open bytes and streams to age X25519 recipients (the age v1 file format)."""

from __future__ import annotations

from typing import IO, Any, BinaryIO, Protocol

import pyrage

from sealbox.crypto.errors import CannotOpen
from sealbox.crypto.keys import Identity, Recipient
from sealbox.crypto.sealed import Sealed, SealedStream


class Readable(Protocol):
    """What `seal_stream` reads from: a file, an upload as it streams in, a counting wrapper."""

    def read(self, n: int = -1, /) -> bytes: ...


def _native(recipients: tuple[Recipient, ...]) -> list[Any]:
    if not recipients:
        raise ValueError("sealing needs at least one recipient")
    return [r._key for r in recipients]


def seal(plaintext: bytes, *recipients: Recipient) -> Sealed:
    """Encrypt `plaintext` so that any one of `recipients` can open it."""
    return Sealed(pyrage.encrypt(plaintext, _native(recipients)))


def unseal(sealed: Sealed, identity: Identity) -> bytes:
    """Decrypt `sealed`; raises CannotOpen for a wrong key or damaged data."""
    if not isinstance(sealed, Sealed):
        raise TypeError("unseal takes a Sealed value")
    try:
        plaintext: bytes = pyrage.decrypt(sealed.ciphertext, [identity._key])
        return plaintext
    except pyrage.DecryptError as exc:
        raise CannotOpen("The data could not be decrypted: wrong key or damaged data.") from exc


class _Watched:
    """Writes through to `sink`, keeping the sink's own error: the cipher library reports it as
    its own EncryptError with the text only, which would lose what failed (a full disk)."""

    def __init__(self, sink: BinaryIO) -> None:
        self.sink = sink
        self.failure: OSError | None = None

    def write(self, data: bytes) -> int | None:
        try:
            return self.sink.write(data)
        except OSError as exc:
            self.failure = exc
            raise

    def flush(self) -> None:
        try:
            self.sink.flush()
        except OSError as exc:
            self.failure = exc
            raise


def seal_stream(reader: Readable, *recipients: Recipient) -> SealedStream:
    """A stream that, when written out, encrypts everything `reader` yields (chunk by chunk).

    A failure of the sink (a full disk) comes out as the sink's own OSError."""
    native = _native(recipients)

    def write(sink: BinaryIO) -> None:
        watched = _Watched(sink)
        try:
            pyrage.encrypt_io(reader, watched, native)
        except pyrage.EncryptError:
            if watched.failure is not None:
                raise watched.failure from None
            raise

    return SealedStream(write)


def unseal_stream(source: IO[bytes], sink: BinaryIO, identity: Identity) -> None:
    """Decrypt the age stream in `source` into `sink`, 64 KiB at a time, authenticating each."""
    try:
        pyrage.decrypt_io(source, sink, [identity._key])
    except pyrage.DecryptError as exc:
        raise CannotOpen("The file could not be decrypted: wrong key or damaged data.") from exc
    except OSError as exc:
        # pyrage reports a failed chunk authentication (damage, truncation) as OSError.
        if "decryption error" not in str(exc):
            raise
        raise CannotOpen("The file is damaged or truncated: it failed authentication.") from exc


def wrap_identity(identity: Identity, *recipients: Recipient) -> Sealed:
    """Seal a private key to other keys (a key wrap)."""
    return seal(identity._key.__str__().encode("ascii"), *recipients)


def unwrap_identity(wrapped: Sealed, identity: Identity) -> Identity:
    """Open a key wrap made by `wrap_identity`."""
    return Identity.parse(unseal(wrapped, identity).decode("ascii"))
