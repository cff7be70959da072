"""Where a disclosure request stands, stored as its value in `disclosure_requests.state`, so
rows written before this enum read back unchanged."""

from __future__ import annotations

import enum


class DisclosureState(enum.StrEnum):
    """A request waits for a custodian's decision, then is approved or denied."""

    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
