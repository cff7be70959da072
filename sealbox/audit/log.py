"""Appending to the audit log. Entries never hold report content or anything about a source."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox.audit.models import AuditEntry
from sealbox.clock import Clock

GENESIS = "0" * 64


def canonical(
    seq: int, at: str, actor: str | None, action: str, target: str | None, details: str, prev: str
) -> bytes:
    """The bytes an entry's hash covers: a fixed-order JSON array, UTF-8, no spaces."""
    return json.dumps(
        [seq, at, actor, action, target, details, prev], ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def timestamp(at: dt.datetime) -> str:
    """The entry time as hashed: UTC, ISO 8601. SQLite hands back naive datetimes (they are UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).isoformat()


def entry_hash(entry: AuditEntry) -> str:
    """The SHA-256 of the entry's canonical encoding, which includes the previous entry's hash."""
    at = timestamp(entry.at)
    return hashlib.sha256(
        canonical(
            entry.seq, at, entry.actor, entry.action, entry.target, entry.details, entry.prev_hash
        )
    ).hexdigest()


def record(
    session: Session,
    clock: Clock,
    actor: str | None,
    action: str,
    target: str | None = None,
    **details: object,
) -> AuditEntry:
    """Append one entry in the caller's transaction (it commits or rolls back with the action).

    The newest row is locked so concurrent writers take turns and the chain stays linear.
    """
    last = session.scalar(
        select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1).with_for_update()
    )
    entry = AuditEntry(
        seq=(last.seq + 1) if last else 1,
        at=clock.now().replace(microsecond=0),
        actor=actor,
        action=action,
        target=target,
        details=json.dumps(details, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
        prev_hash=last.hash if last else GENESIS,
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    session.flush()
    return entry
