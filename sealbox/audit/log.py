"""Appending to the audit log. Entries never hold report content or anything about a source.

Each entry carries the SHA-256 of its fields and of the entry before it (the chain anyone can
recompute from an export) and a keyed digest of that hash under the instance's audit key, which
lives in the secrets file: with a copy of the database alone, a rewritten chain cannot be keyed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox import crypto
from sealbox.audit.models import AuditEntry
from sealbox.clock import Clock

GENESIS = "0" * 64
# Where `record` finds the audit key: every session of `services.db` carries it (services.build).
KEY_INFO = "audit_key"
MAC_PURPOSE = "sealbox-audit-entry"


class AuditKeyMissing(RuntimeError):
    """A session without the audit key: writing an unkeyed entry would weaken the whole log."""


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


def entry_mac(audit_key: bytes, entry_hash_hex: str) -> str:
    """The keyed digest of an entry's hash; it covers the whole chain up to that entry."""
    return crypto.keyed_digest(audit_key, MAC_PURPOSE, entry_hash_hex.encode("ascii"))


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
    audit_key = session.info.get(KEY_INFO)
    if not audit_key:
        raise AuditKeyMissing("this database session has no audit key (use services.db)")
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
    entry.mac = entry_mac(audit_key, entry.hash)
    session.add(entry)
    session.flush()
    return entry
