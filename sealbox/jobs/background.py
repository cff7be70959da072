"""Threads inside a serving process: the jobs (ticks, runs what is due) and the heartbeat."""

from __future__ import annotations

import contextlib
import logging
import threading

from sealbox.jobs.runner import run_due, worker_id
from sealbox.services import Services
from sealbox.sources import throttle

log = logging.getLogger("sealbox.jobs")


class JobThread(threading.Thread):
    def __init__(self, services: Services) -> None:
        super().__init__(name="sealbox-jobs", daemon=True)
        self.services = services
        self.holder = worker_id()
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                for job in run_due(self.services, self.holder):
                    log.info("job %s: %s", job.name, job.outcome)
            except Exception:  # the database may be away for a moment; try again next tick
                log.exception("running jobs failed")
            self.stopping.wait(self.services.settings.jobs_tick_seconds)

    def stop(self) -> None:
        self.stopping.set()


def start(services: Services) -> JobThread | None:
    """Start the jobs thread if the settings ask for it (jobs_in_process, the default)."""
    if not services.settings.jobs_in_process:
        return None
    thread = JobThread(services)
    thread.start()
    return thread


class Heartbeat(threading.Thread):
    """Tells the other serving processes that this one is alive, so that each holds its share
    of the passphrase-login budget (sealbox.sources.throttle). Runs on its own timer only."""

    def __init__(self, services: Services, budget: throttle.LoginBudget) -> None:
        super().__init__(name="sealbox-heartbeat", daemon=True)
        self.services = services
        self.budget = budget
        self.worker = worker_id()
        self.every = services.settings.worker_heartbeat_seconds
        self.stopping = threading.Event()

    def beat(self) -> None:
        self.budget.share(throttle.announce(self.services, self.worker, self.every))

    def run(self) -> None:
        while not self.stopping.wait(self.every):
            try:
                self.beat()
            except Exception:  # the database may be away for a moment; keep the last share
                log.exception("heartbeat failed")

    def stop(self) -> None:
        self.stopping.set()
        with contextlib.suppress(Exception):
            throttle.leave(self.services, self.worker)
