"""Streaming a decrypted attachment to a handler's browser."""

from __future__ import annotations

from collections.abc import AsyncIterator

from sealbox.reports.downloads import Download
from sealbox.web.streaming import produce


async def start_download(file: Download) -> tuple[bytes, AsyncIterator[bytes]]:
    """Decrypt the first chunk before answering, so a wrong key or damaged header gives a clear
    error page instead of a broken download; later damage aborts the transfer."""
    stream = produce(file.write)
    try:
        first = await stream.__anext__()
    except StopAsyncIteration:
        first = b""
    return first, stream
