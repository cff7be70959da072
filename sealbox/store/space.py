"""Free space where Sealbox writes: the blob store, its temporary files and the SQLite database.

Checked by the disk job and on the admin's start page, so admins hear of a filling disk before
a source's upload meets a full one. (A PostgreSQL server's disk is its own to watch.)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sealbox.locale import N_
from sealbox.settings import MIB, Settings


@dataclass(frozen=True)
class Volume:
    """One filesystem Sealbox writes to, named by what it holds there."""

    label: str
    path: Path
    free_bytes: int
    total_bytes: int


def volumes(settings: Settings) -> list[Volume]:
    """Each filesystem once, labelled by the first thing Sealbox keeps on it."""
    places = [
        (N_("Uploaded files (blob store)"), settings.blob_dir),
        (N_("Temporary files"), settings.tmp_dir),
        (N_("Data directory"), settings.data_dir),
    ]
    if settings.db_url.startswith("sqlite:///"):
        database = Path(settings.db_url.removeprefix("sqlite:///"))
        places.insert(1, (N_("Database"), database.parent))
    seen: set[int] = set()
    found = []
    for label, path in places:
        try:
            device = os.stat(path).st_dev
            stats = os.statvfs(path)
        except FileNotFoundError:
            continue
        if device in seen:
            continue
        seen.add(device)
        found.append(
            Volume(label, path, stats.f_bavail * stats.f_frsize, stats.f_blocks * stats.f_frsize)
        )
    return found


def low(settings: Settings) -> list[Volume]:
    """The filesystems with less free space than `disk_warning_free_mib`."""
    floor = settings.disk_warning_free_mib * MIB
    return [volume for volume in volumes(settings) if volume.free_bytes < floor]
