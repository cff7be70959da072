"""How much one cleaning may use: read by the settings and the worker alike."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WorkerLimits:
    """How much one cleaning may use before it is stopped and the file reported as uncleanable."""

    memory_bytes: int = 2 * 1024**3
    cpu_seconds: int = 60
    wall_seconds: float = 120.0
