"""Wrapping a report's keys to the recovery keys: when each key is made, and, for keys made
before a recovery key was registered, when a holder's key is open (their login).

The server never holds anything that opens a report it could not open before: it seals to the
recovery keys' public halves only, and it unwraps only with a key a holder opened at login.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox import crypto
from sealbox.crypto import CannotOpen, Identity, Recipient
from sealbox.recovery.models import RecoveryKey, RecoveryWrap
from sealbox.reports.models import IdentityKey, NoteKey, Report, ReportKey

# Each kind of report key, and the table of its wraps to staff.
KINDS: dict[str, Any] = {"report": ReportKey, "notes": NoteKey, "identity": IdentityKey}


def recipients(session: Session) -> list[tuple[str, Recipient]]:
    """The active recovery keys: (id, public key)."""
    rows = session.execute(select(RecoveryKey.id, RecoveryKey.public_key).where(RecoveryKey.active))
    return [(key_id, Recipient.parse(public)) for key_id, public in rows]


def wrap(session: Session, report_id: str, kind: str, key: Identity) -> None:
    """Wrap a report's new `kind` key to every active recovery key, in the caller's transaction."""
    for key_id, recipient in recipients(session):
        session.add(
            RecoveryWrap(
                report_id=report_id,
                kind=kind,
                key_id=key_id,
                wrapped=crypto.wrap_identity(key, recipient),
            )
        )


def catch_up(session: Session, user_id: str, identity: Identity) -> int:
    """Add the recovery wraps missing from keys `user_id` holds, opened with their `identity`
    (just opened at their login); returns how many were added."""
    keys = recipients(session)
    if not keys:
        return 0
    added = 0
    for kind, model in KINDS.items():
        held = session.execute(
            select(model.report_id, model.wrapped).where(model.user_id == user_id)
        ).all()
        if not held:
            continue
        have = set(
            session.execute(
                select(RecoveryWrap.report_id, RecoveryWrap.key_id).where(
                    RecoveryWrap.kind == kind,
                    RecoveryWrap.report_id.in_([report_id for report_id, _ in held]),
                )
            )
        )
        for report_id, wrapped in held:
            lacking = [(k, r) for k, r in keys if (report_id, k) not in have]
            if not lacking:
                continue
            try:
                key = crypto.unwrap_identity(wrapped, identity)
            except CannotOpen:
                continue  # a damaged wrap: nothing to recover from it here
            for key_id, recipient in lacking:
                session.add(
                    RecoveryWrap(
                        report_id=report_id,
                        kind=kind,
                        key_id=key_id,
                        wrapped=crypto.wrap_identity(key, recipient),
                    )
                )
                added += 1
    return added


def missing(session: Session) -> dict[str, int]:
    """Per kind, how many report keys still lack a wrap to some active recovery key."""
    keys = [key_id for key_id, _ in recipients(session)]
    made = {
        "report": select(Report.id),
        "notes": select(Report.id).where(Report.notes_public_key.is_not(None)),
        "identity": select(Report.id).where(Report.identity_public_key.is_not(None)),
    }
    counts = {}
    for kind, reports in made.items():
        ids = set(session.scalars(reports))
        wrapped = session.execute(
            select(RecoveryWrap.report_id, RecoveryWrap.key_id).where(RecoveryWrap.kind == kind)
        )
        per_report: dict[str, set[str]] = {}
        for report_id, key_id in wrapped:
            per_report.setdefault(report_id, set()).add(key_id)
        counts[kind] = sum(1 for r in ids if not set(keys) <= per_report.get(r, set()))
    return counts
