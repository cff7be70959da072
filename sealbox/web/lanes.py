"""Thread lanes: uploads and logins each run on threads of their own.

Synchronous page routes share the server's default pool of worker threads. An upload holds its
thread for as long as its body takes to arrive, and a login waits for its turn at the key
derivation queue; on the shared pool, 40 slow uploads or a login flood left no thread to render
a page. Each lane has a fixed number of threads, and a request that finds its lane full is
refused at once with `Busy` (503 and Retry-After) instead of waiting unseen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio
from anyio import to_thread

from sealbox.errors import Busy
from sealbox.locale import N_
from sealbox.settings import Settings

T = TypeVar("T")

UPLOADS_BUSY = N_(
    "Many people are sending files right now, and nothing of yours was stored. Wait a minute, "
    "then send it again."
)
LOGINS_BUSY = N_("The server is busy checking other logins. Wait a few seconds and try again.")


class Lane:
    """At most `threads` calls at once; one more is refused with `Busy(message)`."""

    def __init__(self, threads: int, message: str, retry_after: int) -> None:
        self.threads = max(1, threads)
        self.message = message
        self.retry_after = retry_after
        self._admitted = anyio.CapacityLimiter(self.threads)
        self._pool = anyio.CapacityLimiter(self.threads)

    async def run(self, work: Callable[..., T], *args: object) -> T:
        """Run `work(*args)` on one of this lane's threads, or refuse at once if all are busy."""
        try:
            self._admitted.acquire_nowait()
        except anyio.WouldBlock:
            raise Busy(self.message, self.retry_after) from None
        try:
            # Never waits: no more calls are admitted than the pool has threads.
            return await to_thread.run_sync(work, *args, limiter=self._pool)
        finally:
            self._admitted.release()

    @property
    def in_use(self) -> int:
        return int(self._admitted.borrowed_tokens)


@dataclass(frozen=True)
class Lanes:
    uploads: Lane
    logins: Lane

    @classmethod
    def for_settings(cls, settings: Settings, kdf_slots: int) -> Lanes:
        """`kdf_slots`: how many derivations the key queue runs or holds (threads + waiting)."""
        return cls(
            uploads=Lane(settings.max_uploads, UPLOADS_BUSY, retry_after=30),
            logins=Lane(kdf_slots, LOGINS_BUSY, retry_after=5),
        )
