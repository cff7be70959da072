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


def blur(root: Path, mark: str) -> int:
    """Round the access and modification time of everything under `root` (itself included)
    down to its day, which stamps each change time with now. Directories last, deepest first.

    Only paths touched since the last call with the same `mark` are stamped: the mark is a file
    in `root` whose change time is that call's. Returns how many paths were stamped.
    """
    marker = root / f".{mark}"
    try:
        since = marker.stat().st_ctime
    except FileNotFoundError:
        since = 0.0  # never ran: stamp everything
    count = 0
    for directory, _, files in os.walk(root, topdown=False):
        for name in [*files, None]:
            path = Path(directory) if name is None else Path(directory, name)
            with contextlib.suppress(FileNotFoundError):
                stat = path.stat(follow_symlinks=False)
                untouched = (
                    stat.st_ctime < since and stat.st_mtime % DAY == 0 and stat.st_atime % DAY == 0
                )
                if path != marker and not untouched:
                    day = stat.st_mtime - stat.st_mtime % DAY
                    os.utime(path, (day, day), follow_symlinks=False)
                    count += 1
    set_mark(root, mark)
    return count


def set_mark(root: Path, mark: str) -> None:
    """Note now as the time of `mark` (a file whose change time is now; its other times 0)."""
    marker = root / f".{mark}"
    marker.touch()
    os.utime(marker, (0, 0))
