"""The words a report is stored in: its status, and who wrote each of its messages. Each is
kept as its value (`reports.status`, `messages.author`), so rows written before these enums
read back unchanged."""

from __future__ import annotations

import enum


class ReportStatus(enum.StrEnum):
    """Where a report stands: new -> acknowledged -> in progress -> closed (with an outcome)."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


class Author(enum.StrEnum):
    """Who wrote a message: the source, or a staff member (`Message.staff_id` says which)."""

    SOURCE = "source"
    STAFF = "staff"
