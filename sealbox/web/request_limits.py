"""What one request may cost the server: how many headers, and how slowly its body may come.

The size of the request line and headers is bounded by the server (sealbox.web.server) before
they are parsed; their number is checked here, once parsed. A body is paced: it may pause at
most `idle` seconds at a time and, once it has taken that long, must keep an average of
`min_rate` bytes a second, counting only the time the server spent waiting for it. A body that
falls behind is cut off: the app gets `TooSlow` from its read (a form comes back with what was
typed, 408). Any answer given before the whole body came closes the connection after it.
"""

from __future__ import annotations

import time

import anyio
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sealbox.errors import TooSlow
from sealbox.locale import N_
from sealbox.web import errors

TOO_SLOW = N_(
    "Your browser sent the form too slowly, so the server stopped waiting. Nothing was "
    "stored; please send it again."
)
TOO_MANY_HEADERS = N_("The request carries too many headers.")


class _PacedBody:
    def __init__(self, receive: Receive, idle: float, min_rate: float) -> None:
        self._receive = receive
        self.idle = idle
        self.min_rate = min_rate
        self.received = 0
        self.waited = 0.0
        self.done = False
        self.cut = False

    def _timeout(self) -> float:
        allowed = self.idle
        if self.min_rate > 0:
            allowed = max(self.idle, self.received / self.min_rate)
        return max(0.0, min(self.idle, allowed - self.waited))

    async def receive(self) -> Message:
        if self.done:
            return await self._receive()
        if self.cut:
            raise TooSlow(TOO_SLOW)
        started = time.monotonic()
        with anyio.move_on_after(self._timeout()) as waiting:
            message = await self._receive()
        self.waited += time.monotonic() - started
        if waiting.cancelled_caught:
            self.cut = True
            raise TooSlow(TOO_SLOW)
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            self.done = not message.get("more_body", False)
        else:
            self.done = True
        return message


class RequestLimits:
    """Pure ASGI middleware (bodies stream through it untouched)."""

    def __init__(self, app: ASGIApp, max_header_count: int, idle: float, min_rate: float) -> None:
        self.app = app
        self.max_header_count = max_header_count
        self.idle = idle
        self.min_rate = min_rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope["headers"]) > self.max_header_count:
            response = errors.error_response(
                Request(scope), 431, "too_many_headers", TOO_MANY_HEADERS
            )
            response.headers["connection"] = "close"
            await response(scope, receive, send)
            return
        body = _PacedBody(receive, self.idle, self.min_rate)
        has_body = any(
            name in (b"content-length", b"transfer-encoding") and value.strip() != b"0"
            for name, value in scope["headers"]
        )

        async def closing_early(message: Message) -> None:
            if message["type"] == "http.response.start" and has_body and not body.done:
                # Answered before the whole body came (refused, busy, cut off): the rest would
                # only arrive to be thrown away, so the client is told to stop sending.
                MutableHeaders(scope=message)["connection"] = "close"
            await send(message)

        await self.app(scope, body.receive, closing_early)
