"""Every Argon2id derivation of the process runs here: a few threads, a bounded queue.

Each derivation holds 64 MiB (or more) and a core for a fraction of a second, so letting every
request run its own would let a handful of clients take all memory and CPU. The queue runs at
most `threads` at once (about one per core) on threads of lowered CPU priority, so page
rendering keeps a core under a flood of logins; at most `waiting` more wait their turn, and
beyond that a caller gets `Busy` at once ("busy, try again"), which the web layer answers with
503 and Retry-After.

Callers block until their derivation is done, so they must run on a worker thread: calling from
the event loop's thread is refused (it would stall every page).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sealbox import crypto
from sealbox.crypto import Identity, KdfParams, SourceKeys
from sealbox.errors import Busy

T = TypeVar("T")
# Added to the nice value of the derivation threads (and the Argon2 lanes they start).
PRIORITY_DROP = 10
BUSY = "The server is busy checking other logins. Wait a few seconds and try again."


def _lower_priority() -> None:
    # Linux keeps a nice value per thread; threads started from this one inherit it.
    with contextlib.suppress(AttributeError, OSError):
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(19, current + PRIORITY_DROP))


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class KdfQueue:
    """Bounded executor for the process's key derivations, with the instance's cost `params`."""

    def __init__(
        self, params: KdfParams, threads: int = 0, waiting: int = 16, retry_after: int = 5
    ) -> None:
        self.params = params
        self.threads = threads if threads > 0 else max(1, os.cpu_count() or 1)
        self.waiting = max(0, waiting)
        self.retry_after = retry_after
        self.runs = 0  # derivations done (tests and benchmarks read it)
        self._pending = 0
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(
            self.threads, thread_name_prefix="sealbox-kdf", initializer=_lower_priority
        )

    def run(self, work: Callable[..., T], *args: object) -> T:
        """Run `work(*args)` (one derivation) on the queue's threads and return its result."""
        if _on_event_loop():
            raise RuntimeError("key derivation called on the event loop; run it in a thread")
        with self._lock:
            if self._pending >= self.threads + self.waiting:
                raise Busy(BUSY, self.retry_after)
            self._pending += 1
        try:
            future = self._executor.submit(work, *args)
        except BaseException:
            self._release()
            raise
        future.add_done_callback(lambda _done: self._release())
        return future.result()

    def _release(self) -> None:
        with self._lock:
            self._pending -= 1
            self.runs += 1

    @property
    def pending(self) -> int:
        """Derivations running or waiting now."""
        return self._pending

    # The derivations Sealbox makes, with this instance's cost.
    def source_keys(self, passphrase: str, salt: bytes) -> SourceKeys:
        return self.run(crypto.derive_source_keys, passphrase, salt, self.params)

    def password_key(self, password: str, salt: bytes) -> Identity:
        return self.run(crypto.derive_password_key, password, salt, self.params)

    def hash_password(self, password: str) -> str:
        return self.run(crypto.hash_password, password, self.params)

    def verify_password(self, stored: str | None, password: str) -> bool:
        """One derivation whether or not there is a stored hash (see crypto.verify_password)."""
        return self.run(crypto.verify_password, stored, password, self.params)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
