"""A handler's download of one attachment: decrypted as it is written out, never stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

from sealbox import crypto
from sealbox.crypto import CannotOpen, Identity
from sealbox.errors import DamagedData
from sealbox.store.blobs import BlobMissing, Blobs


@dataclass(frozen=True)
class Download:
    """One attachment, after the access check: its name and size, and the bytes on demand.

    It holds the report key for the one request that streams it; nothing else sees the key.
    """

    display_name: str
    size: int
    blob_id: str = field(repr=False)
    blobs: Blobs = field(repr=False)
    key: Identity = field(repr=False)

    def write(self, sink: BinaryIO) -> None:
        """Decrypt the file into `sink`; DamagedData when the stored data does not open."""
        try:
            with self.blobs.open(self.blob_id) as blob:
                crypto.unseal_stream(blob, sink, self.key)
        except (CannotOpen, BlobMissing) as exc:
            raise DamagedData(
                "This file could not be decrypted: the stored data is damaged."
            ) from exc
