"""The words a report's workflow is stored in: its status. Each is kept as its value in
`reports.status`, so rows written before these enums read back unchanged."""

from __future__ import annotations

import enum


class ReportStatus(enum.StrEnum):
    """Where a report stands: new -> acknowledged -> in progress -> closed (with an outcome)."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"
