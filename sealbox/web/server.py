"""The HTTP server: uvicorn on its h11 protocol, with bounds on what a connection may cost
before the app sees a request.

uvicorn's default parser (httptools) accepts headers of any size, and no server timer runs
while a request's headers arrive: 100 MB headers were read whole, and a connection trickling
its headers was kept forever. Here the request line and headers must fit in `max_header_bytes`
(431 beyond, before anything bigger is buffered) and arrive within `header_timeout` seconds of
the connection opening or of the previous answer (408 and close otherwise). The same timer
closes a connection whose refused body still trickles in after its answer.
"""

from __future__ import annotations

import asyncio

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from sealbox import logs
from sealbox.settings import Settings


def _plain(status: int, reason: str, text: str) -> bytes:
    body = text.encode("ascii")
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's head and a 431 for big heads."""

    header_timeout: float = 20.0
    max_header_bytes: int = 32 * 1024

    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_late)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_late(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # the app has the request; the next answer arms the timer again
        if self.conn.their_state is h11.IDLE:
            self.transport.write(
                _plain(408, "Request Timeout", "The request took too long to arrive.\n")
            )
        self.transport.close()

    def send_400_response(self, msg: str) -> None:
        buffered, _ = self.conn.trailing_data
        if len(buffered) <= self.max_header_bytes:
            super().send_400_response(msg)
            return
        self.transport.write(
            _plain(431, "Request Header Fields Too Large", "The request's headers are too large.\n")
        )
        self.transport.close()


def protocol(settings: Settings) -> type[GuardedH11Protocol]:
    """The protocol class with this instance's limits."""
    return type(
        "SealboxH11Protocol",
        (GuardedH11Protocol,),
        {
            "header_timeout": settings.header_timeout_seconds,
            "max_header_bytes": settings.max_header_bytes,
        },
    )


class WorkerH11Protocol(GuardedH11Protocol):
    """The protocol of `serve --workers N`'s processes, named by import path (a spawned worker
    cannot be handed a class made at run time); each worker sets its limits (`configure`)."""


def configure(settings: Settings) -> None:
    """Give this process's worker protocol the instance's limits."""
    WorkerH11Protocol.header_timeout = settings.header_timeout_seconds
    WorkerH11Protocol.max_header_bytes = settings.max_header_bytes


def run_workers(factory: str, settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve with `workers` processes on one socket, each building its app with `factory`
    ("module:function"); the same bounds and log rules as `run`. uvicorn restarts a worker
    that dies."""
    uvicorn.run(
        factory,
        factory=True,
        workers=workers,
        host=host,
        port=port,
        http=f"{__name__}:WorkerH11Protocol",
        h11_max_incomplete_event_size=settings.max_header_bytes,
        access_log=False,
        log_config=logs.config(settings.log_level),
        server_header=False,
        date_header=False,
        proxy_headers=False,
    )


def run(app, settings: Settings, host: str, port: int) -> None:
    """Serve `app` until stopped; no access log, no client address, no server or date header."""
    uvicorn.run(
        app,
        host=host,
        port=port,
        http=protocol(settings),
        h11_max_incomplete_event_size=settings.max_header_bytes,
        access_log=False,
        log_config=logs.config(settings.log_level),
        server_header=False,
        date_header=False,
        proxy_headers=False,
    )
