"""Running the periodic jobs: each under a database lease, so many workers may try at once."""

from __future__ import annotations

import logging
import os
import secrets
import socket
from dataclasses import dataclass

from sealbox.jobs import anchor, chronology, disk, locks, mail, reminders, retention, sessions
from sealbox.services import Services

log = logging.getLogger("sealbox.jobs")
# Chronology last: it rewrites what the others changed.
JOBS = {job.NAME: job for job in (sessions, retention, reminders, anchor, disk, mail, chronology)}
LEASE_SECONDS = 30 * 60


class UnknownJob(Exception):
    """A job name that does not exist."""


@dataclass(frozen=True)
class JobRun:
    name: str
    outcome: str
    ok: bool


def worker_id() -> str:
    """Who holds a lease: host, process and a random part (two threads never share one)."""
    return f"{socket.gethostname()[:24]}:{os.getpid()}:{secrets.token_hex(4)}"


def run_due(
    services: Services,
    holder: str | None = None,
    only: list[str] | None = None,
    force: bool = False,
) -> list[JobRun]:
    """Run every job that is due and not held elsewhere (or the `only` ones; `force`: due now)."""
    holder = holder or worker_id()
    names = only or list(JOBS)
    unknown = [name for name in names if name not in JOBS]
    if unknown:
        raise UnknownJob(f"No job named {', '.join(unknown)}; the jobs are {', '.join(JOBS)}.")
    runs = []
    for name in names:
        job = JOBS[name]
        if not locks.claim(services, name, holder, LEASE_SECONDS, force):
            continue
        interval = getattr(services.settings, job.INTERVAL)
        try:
            outcome, ok = job.run(services), True
        except Exception as exc:  # one broken job must not stop the others
            log.exception("job %s failed", name)
            outcome, ok = f"failed: {type(exc).__name__}", False
        locks.release(services, name, holder, interval, outcome)
        runs.append(JobRun(name, outcome, ok))
    return runs
