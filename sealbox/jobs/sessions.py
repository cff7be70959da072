"""Job: delete idle staff sessions (their sealed keys go with them)."""

from __future__ import annotations

from sealbox.cases import staff_sessions
from sealbox.services import Services

NAME = "sessions"
INTERVAL = "job_sessions_seconds"


def run(services: Services) -> str:
    return f"ended {staff_sessions.sweep_expired(services)} idle session(s)"
