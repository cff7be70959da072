"""Job: crypto-shred reports whose retention period is over (sealbox.reports.retention)."""

from __future__ import annotations

from sealbox.reports import retention
from sealbox.services import Services

NAME = "retention"
INTERVAL = "job_retention_seconds"


def run(services: Services) -> str:
    shredded = retention.shred_expired(services)
    outcome = f"deleted {shredded.closed} closed and {shredded.unanswered} unanswered report(s)"
    return outcome if shredded.forgotten else outcome + " (the WAL is emptied at the next pass)"
