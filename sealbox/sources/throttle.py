"""The passphrase-login budget, shared by the serving processes, kept without writing anything
when a source logs in.

Each process holds a token bucket in memory with its share (1/N) of the instance's burst and
rate, N being the number of live processes. A process announces itself in `workers` on a timer
of its own (sealbox.jobs.background.Heartbeat), which is also when it learns N. A login thus
leaves no time in the database, and no write whose place in the WAL or heap would date it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select

from sealbox.clock import Clock
from sealbox.sources.models import WorkerPresence

if TYPE_CHECKING:
    from sealbox.services import Services


class LoginBudget:
    """This process's share of the instance-wide token bucket."""

    def __init__(self, burst: int, per_second: float, clock: Clock) -> None:
        self.burst = burst
        self.per_second = per_second
        self.clock = clock
        self.workers = 1
        self._tokens = float(burst)
        self._updated = clock.timestamp()
        self._lock = threading.Lock()

    def share(self, workers: int) -> None:
        """Hold 1/`workers` of the budget from now on."""
        with self._lock:
            self.workers = max(1, workers)
            self._tokens = min(self._tokens, self._capacity())

    def _capacity(self) -> float:
        return max(1.0, self.burst / self.workers)

    def take(self) -> bool:
        """Take one token; False when this process's share is spent for now."""
        with self._lock:
            now = self.clock.timestamp()
            refill = max(0.0, now - self._updated) * self.per_second / self.workers
            self._tokens = min(self._capacity(), self._tokens + refill)
            self._updated = now
            if self._tokens < 1.0:
                return False
            self._tokens -= 1.0
            return True


def announce(services: Services, worker: str, every: float) -> int:
    """Say this process is alive, forget those silent for three beats; returns how many live."""
    now = services.clock.timestamp()
    with services.db.transaction() as session:
        row = session.get(WorkerPresence, worker)
        if row is None:
            session.add(WorkerPresence(id=worker, seen=now))
        else:
            row.seen = now
        session.execute(delete(WorkerPresence).where(WorkerPresence.seen < now - 3 * every))
        session.flush()
        return session.scalar(select(func.count()).select_from(WorkerPresence)) or 1


def leave(services: Services, worker: str) -> None:
    with services.db.transaction() as session:
        session.execute(delete(WorkerPresence).where(WorkerPresence.id == worker))
