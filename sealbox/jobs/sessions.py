"""Job: end expired staff and source sessions, and make every ended session unrecoverable
(through the accounts and sources services, which own the sessions)."""

from __future__ import annotations

from sealbox.services import Services

NAME = "sessions"
INTERVAL = "job_sessions_seconds"


def run(services: Services) -> str:
    staff = services.accounts.end_expired_sessions()
    sources = services.sources.end_expired_sessions()
    return f"ended {staff} staff and {sources} source session(s)"
