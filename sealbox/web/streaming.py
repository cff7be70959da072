"""Bridges between blocking crypto/file code in worker threads and the async server."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import AsyncIterator, Callable
from typing import BinaryIO, TypeVar

import anyio
from fastapi import Request
from starlette.requests import ClientDisconnect

from sealbox.errors import BadInput, Busy, SealboxError, TooLarge, TooSlow
from sealbox.web.inputs import field_text
from sealbox.web.lanes import Lane
from sealbox.web.upload import FIELD_TOO_LONG, MAX_FIELD_BYTES, MultipartStream, describe

T = TypeVar("T")
_DONE = object()
# What a form adds to its files and text: each part's boundary and headers (MAX_PARTS of them).
FORM_FRAMING = 256 * 1024
# How long a form declared too large may take to send its typed text before it is answered.
TEXT_WAIT_SECONDS = 2.0


async def refuse_oversized(request: Request, limit: int, fields: dict[str, str]) -> None:
    """Refuse a form whose Content-Length says it is past `limit` (and its framing) before any
    file of it is read: TooLarge, or the refusal of a text field that breaks a rule.

    The typed text comes first in a form, so it is read into `fields` (to be given back) up to
    the first file part; the files are never read, and a body that does not come within
    `TEXT_WAIT_SECONDS` is not waited for. A form inside the limit is not touched."""
    try:
        declared = int(request.headers.get("content-length", ""))
    except ValueError:
        return  # chunked or absent: the limit is counted as the body arrives
    if declared <= limit + FORM_FRAMING:
        return
    chunks = request.stream().__aiter__()

    async def next_chunk() -> bytes:
        with anyio.move_on_after(TEXT_WAIT_SECONDS):
            with contextlib.suppress(StopAsyncIteration, ClientDisconnect, TooSlow):
                return await chunks.__anext__()
        return b""

    typed = await _text_fields(
        request.headers.get("content-type", ""), next_chunk, fields, until_file=True
    )
    if typed > limit:
        raise TooLarge("The report is larger than this site accepts in one go.")
    raise TooLarge(
        "The files are larger than this site accepts in one go (%(mib)s MB). "
        "Send fewer or smaller files, then add the rest as a follow-up.",
        mib=limit // (1024 * 1024),
    )


async def with_multipart(
    request: Request,
    handle: Callable[[MultipartStream], T],
    lane: Lane,
    fields: dict[str, str] | None = None,
) -> T:
    """Run `handle` on a thread of `lane`, feeding it the request body as it arrives.

    When `handle` refuses the request (a SealboxError: a full disk, a file too large), the rest
    of the body is read and dropped, up to the submission limit, before the refusal goes on:
    a browser still sending when the connection closes shows a reset, not the page that gives
    the person their text back. When every thread of the lane has an upload already (`Busy`),
    `handle` does not run: the body is read the same way on the event loop, its text fields
    going into `fields` (files are dropped), so that the page can give them back too. A body
    too slow to read (TooSlow, see request_limits) is not waited for."""
    chunks = request.stream().__aiter__()
    received = 0

    async def next_chunk() -> bytes:
        nonlocal received
        try:
            chunk = await chunks.__anext__()
        except StopAsyncIteration:
            return b""
        received += len(chunk)
        return chunk

    def pull() -> bytes:
        return anyio.from_thread.run(next_chunk)

    content_type = request.headers.get("content-type", "")
    stream = MultipartStream(content_type, pull)
    limit = request.app.state.services.settings.max_submission_bytes
    try:
        return await lane.run(handle, stream)
    except Busy:
        with contextlib.suppress(ClientDisconnect, TooSlow):
            await _text_fields(content_type, next_chunk, fields if fields is not None else {})
            while received <= limit and await next_chunk():
                pass
        raise
    except SealboxError:
        with contextlib.suppress(ClientDisconnect, TooSlow):
            while received <= limit and await next_chunk():
                pass
        raise


async def _text_fields(
    content_type: str,
    next_chunk: Callable,
    fields: dict[str, str],
    budget: int = 2 << 20,
    until_file: bool = False,
) -> int:
    """Parse the body's text fields into `fields` (not the form token), reading at most `budget`
    bytes; file contents are skipped (`until_file`: reading stops at the first file). Returns
    the length of the text read; with `until_file`, a field too long is refused (BadInput)."""
    try:
        stream = MultipartStream(content_type, lambda: b"")
    except SealboxError:
        return 0
    name, is_file, value, read, typed = "", True, bytearray(), 0, 0
    while read <= budget and (chunk := await next_chunk()):
        read += len(chunk)
        try:
            events = stream.feed(chunk)
        except SealboxError:
            return typed
        for kind, data in events:
            if kind == "start":
                name, filename, _ = describe(data)  # type: ignore[arg-type]
                is_file, value = filename is not None, bytearray()
                if is_file and until_file:
                    return typed
            elif kind == "data" and not is_file and len(value) <= MAX_FIELD_BYTES:
                value += data  # type: ignore[operator]
                if until_file and len(value) > MAX_FIELD_BYTES:
                    raise BadInput(FIELD_TOO_LONG, name=name)
            elif kind == "end" and not is_file and name != "form_token":
                fields[name] = field_text(value.decode("utf-8", errors="replace"))
                typed += len(fields[name])
    return typed


class _Abandoned(Exception):
    """The reader went away (the client disconnected); the producer stops."""


class _QueueWriter:
    """A file-like sink for a producer thread; bounded, so memory stays flat."""

    def __init__(self, chunks: queue.Queue, abandoned: threading.Event) -> None:
        self._chunks = chunks
        self._abandoned = abandoned
        self._pending = bytearray()

    def write(self, data: bytes) -> int:
        self._pending += data
        if len(self._pending) >= 1 << 16:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._pending:
            self.put(bytes(self._pending))
            self._pending.clear()

    def put(self, item: object) -> None:
        while True:
            if self._abandoned.is_set():
                raise _Abandoned
            try:
                self._chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                continue


async def produce(work: Callable[[BinaryIO], None]) -> AsyncIterator[bytes]:
    """Yield what `work(sink)` writes to `sink` (run in its own thread), 64 KiB at a time.

    An exception in `work` is re-raised here, which aborts the response mid-stream so a client
    can never mistake a truncated download for a whole one.
    """
    chunks: queue.Queue = queue.Queue(maxsize=8)
    abandoned = threading.Event()
    writer = _QueueWriter(chunks, abandoned)

    def run() -> None:
        try:
            work(writer)  # type: ignore[arg-type]
            writer.flush()
            writer.put(_DONE)
        except _Abandoned:
            return
        except BaseException as exc:  # handed to the consumer below
            with contextlib.suppress(_Abandoned):
                writer.put(exc)

    threading.Thread(target=run, name="sealbox-produce", daemon=True).start()
    try:
        while True:
            item = await anyio.to_thread.run_sync(chunks.get)
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        abandoned.set()
