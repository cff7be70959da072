"""Streaming a decrypted attachment to a handler's browser."""

from __future__ import annotations

from collections.abc import AsyncIterator

from sealbox import crypto
from sealbox.crypto import CannotOpen, Identity
from sealbox.errors import DamagedData
from sealbox.services import Services
from sealbox.store.blobs import BlobMissing
from sealbox.web.streaming import produce


async def start_download(
    services: Services, blob_id: str, identity: Identity
) -> tuple[bytes, AsyncIterator[bytes]]:
    """Decrypt the first chunk before answering, so a wrong key or damaged header gives a clear
    error page instead of a broken download; later damage aborts the transfer."""

    def work(sink) -> None:
        try:
            with services.blobs.open(blob_id) as blob:
                crypto.unseal_stream(blob, sink, identity)
        except (CannotOpen, BlobMissing) as exc:
            raise DamagedData(
                "This file could not be decrypted: the stored data is damaged."
            ) from exc

    stream = produce(work)
    try:
        first = await stream.__anext__()
    except StopAsyncIteration:
        first = b""
    return first, stream
