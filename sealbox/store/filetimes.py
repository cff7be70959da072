"""File times that say no more than the day.

`utime` sets a file's access and modification times but stamps its change time with the
present, so the maintenance passes call it on everything at once: afterwards every change time
is the pass's, and every access and modification time is a midnight.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from sealbox.clock import Clock

DAY = 86400


def midnight(clock: Clock) -> float:
    now = clock.timestamp()
    return now - now % DAY


def to_day(path: Path, clock: Clock) -> None:
    """Set a file's access and modification times to the start of today (UTC)."""
    day = midnight(clock)
    os.utime(path, (day, day))


def blur(root: Path) -> int:
    """Round the access and modification time of `root` and everything in it down to its day;
    every change time becomes now. Directories last, deepest first. Returns how many paths."""
    count = 0
    for directory, _, files in os.walk(root, topdown=False):
        for name in [*files, None]:
            path = Path(directory) if name is None else Path(directory, name)
            with contextlib.suppress(FileNotFoundError):
                stat = path.stat(follow_symlinks=False)
                day = stat.st_mtime - stat.st_mtime % DAY
                os.utime(path, (day, day), follow_symlinks=False)
                count += 1
    return count
