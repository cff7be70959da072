"""Job: warn the admins while there is still room, before an upload meets a full disk.

A filesystem Sealbox writes to with less than `disk_warning_free_mib` free is logged as a
warning each run and mailed to the admins once a day; the admin's start page shows it too.
"""

from __future__ import annotations

import logging

from sealbox.notify import events
from sealbox.services import Services
from sealbox.settings import MIB
from sealbox.store import space

NAME = "disk"
INTERVAL = "job_disk_seconds"
log = logging.getLogger("sealbox.jobs")


def run(services: Services) -> str:
    volumes = space.volumes(services.settings)
    floor = services.settings.disk_warning_free_mib * MIB
    low = [volume for volume in volumes if volume.free_bytes < floor]
    summary = ", ".join(
        f"{volume.path} {volume.free_bytes // MIB} MiB free of {volume.total_bytes // MIB}"
        for volume in volumes
    )
    if not low:
        return f"enough space: {summary}"
    for volume in low:
        log.warning("low disk space: %d MiB free in %s", volume.free_bytes // MIB, volume.path)
    with services.db.transaction() as session:
        mailed = events.disk_low(session, services.clock, low)
    return f"LOW SPACE ({mailed} admin mail(s)): {summary}"
