"""The jobs thread inside `sealbox serve`: ticks, runs what is due, stops with the server."""

from __future__ import annotations

import logging
import threading

from sealbox.jobs.runner import run_due, worker_id
from sealbox.services import Services

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
