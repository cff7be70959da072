"""Job: end expired staff and source sessions, and make every ended session unrecoverable."""

from __future__ import annotations

from sealbox.accounts import staff_sessions
from sealbox.services import Services
from sealbox.sources import source_sessions

NAME = "sessions"
INTERVAL = "job_sessions_seconds"


def run(services: Services) -> str:
    staff = staff_sessions.sweep_expired(services)
    sources = source_sessions.sweep_expired(services)
    return f"ended {staff} staff and {sources} source session(s)"
