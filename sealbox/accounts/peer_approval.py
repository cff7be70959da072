"""A second person's decision on a request that lets an account read more: the custodian role
(`role_requests`), a place among a channel's handlers (`channels/membership`).

Approving gives the account key wraps from then on, so the approver must have compared the
key fingerprint with its holder (in person or by phone), and the account must have a key to
compare. The decision is written on the request (who, which day) and audited in the same
transaction; the caller grants what was asked and says who is told.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol

from sqlalchemy.orm import Session

from sealbox import audit
from sealbox.accounts.actor import StaffContext
from sealbox.accounts.models import User
from sealbox.audit.actions import AuditAction
from sealbox.clock import Clock
from sealbox.crypto import Recipient
from sealbox.errors import BadInput, Conflict

PENDING, APPROVED, DENIED = "pending", "approved", "denied"
COMPARE_FIRST = (
    "Compare the key fingerprint with the person first (in person or by phone), then tick the box."
)


class Request(Protocol):
    """A request row a second person decides (`RoleRequest`, `MembershipRequest`)."""

    id: str
    state: str
    decided_by: str | None
    decided_on: dt.date | None


def fingerprint(user: User) -> str | None:
    """The key fingerprint an approver compares with the holder; None before they enrolled."""
    return Recipient.parse(user.public_key).fingerprint if user.public_key else None


def settle(
    session: Session,
    clock: Clock,
    ctx: StaffContext,
    row: Request,
    holder: User,
    decision: tuple[bool, bool],
    *,
    unfit: str | None,
    not_enrolled: str,
    grant: Callable[[], None],
    actions: tuple[AuditAction, AuditAction],
    target: str,
    **details: object,
) -> str:
    """Record `ctx`'s decision on `row` for `holder`: `decision` is (approve, fingerprint
    compared). Approving first refuses an unchecked fingerprint, an account that cannot take
    it (`unfit`, a message id, or None) and one without a key (`not_enrolled`), then calls
    `grant`. Audited as `actions` (approved, refused) on `target`; returns "approved" or
    "denied" for the caller's mail."""
    approve, fingerprint_compared = decision
    if approve:
        if not fingerprint_compared:
            raise BadInput(COMPARE_FIRST)
        if unfit is not None:
            raise Conflict(unfit)
        if holder.public_key is None:
            raise Conflict(not_enrolled)
        grant()
    row.state = APPROVED if approve else DENIED
    row.decided_by = ctx.username
    row.decided_on = clock.today()
    session.flush()
    audit.record(
        session, clock, ctx.username, actions[0] if approve else actions[1], target, **details
    )
    return "approved" if approve else "denied"
