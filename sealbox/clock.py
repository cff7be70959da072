"""The one clock. Tests move it; everything else asks it for the time."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass


@dataclass
class Clock:
    """Wall time plus an offset that tests can advance."""

    offset: float = 0.0

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.timestamp(), tz=dt.UTC)

    def timestamp(self) -> float:
        return time.time() + self.offset

    def today(self) -> dt.date:
        """The date in UTC: the only precision a source-related row ever carries."""
        return self.now().date()

    def advance(self, seconds: float) -> None:
        self.offset += seconds
