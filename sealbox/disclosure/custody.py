"""Keeping every custodian able to decide: a custodian added after a report arrived holds no
wrap of its identity key until a custodian who holds one passes it on (re-wrap, no re-seal)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox import audit, crypto
from sealbox.accounts import roles
from sealbox.accounts.actor import StaffContext
from sealbox.accounts.roles import Role
from sealbox.audit.actions import AuditAction
from sealbox.clock import Clock
from sealbox.errors import Forbidden
from sealbox.reports import access
from sealbox.reports.models import IdentityKey, Report
from sealbox.reports.reporter_identity import custodian_recipients


def _missing(session: Session) -> dict[str, set[str]]:
    """Report id -> active custodians who hold no wrap of its identity key."""
    custodians = set(custodian_recipients(session))
    held: dict[str, set[str]] = {}
    rows = session.execute(
        select(Report.id, IdentityKey.user_id)
        .outerjoin(IdentityKey, IdentityKey.report_id == Report.id)
        .where(Report.identity_public_key.is_not(None))
    )
    for report_id, user_id in rows:
        held.setdefault(report_id, set()).add(user_id)
    return {rid: custodians - users for rid, users in held.items() if custodians - users}


def missing_count(session: Session) -> int:
    return sum(len(users) for users in _missing(session).values())


def share(session: Session, clock: Clock, ctx: StaffContext) -> int:
    """Wrap the identity keys the acting custodian holds to the custodians who lack them."""
    roles.require(ctx.role, Role.CUSTODIAN)
    if ctx.identity is None:
        raise Forbidden("Your key is kept offline; this server cannot pass keys on for you.")
    recipients = custodian_recipients(session)
    shared = 0
    for report_id, users in _missing(session).items():
        if session.get(IdentityKey, (report_id, ctx.user_id)) is None:
            continue
        key = access.open_identity_key(session, report_id, ctx.user_id, ctx.identity)
        for user_id in users:
            wrapped = crypto.wrap_identity(key, recipients[user_id])
            session.add(IdentityKey(report_id=report_id, user_id=user_id, wrapped=wrapped))
            shared += 1
    audit.record(session, clock, ctx.username, AuditAction.IDENTITY_KEYS_SHARED, None, wraps=shared)
    return shared
