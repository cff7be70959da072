"""Appending to the audit log. Entries never hold report content or anything about a source.

Each entry carries the SHA-256 of its fields and of the entry before it (the chain anyone can
recompute from an export) and a keyed digest of that hash under the instance's audit key, which
lives in the secrets file: with a copy of the database alone, a rewritten chain cannot be keyed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import false, select, text, update
from sqlalchemy.orm import Session

from sealbox import crypto
from sealbox.audit.actions import AuditAction
from sealbox.audit.models import AuditEntry
from sealbox.clock import Clock

GENESIS = "0" * 64
# Where `record` finds the audit key: every session of `services.db` carries it (services.build).
KEY_INFO = "audit_key"
MAC_PURPOSE = "sealbox-audit-entry"
# The PostgreSQL advisory lock that appends take turns under ("sbaudit" in ASCII).
APPEND_LOCK = 0x7362617564697400
# The actor of entries no person wrote: the background jobs and the log's own keying.
SYSTEM = "system"


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
    action: AuditAction,
    target: str | None = None,
    **details: object,
) -> AuditEntry:
    """Append one entry in the caller's transaction (it commits or rolls back with the action).

    `action` is an `AuditAction`: a plain string is refused (TypeError), even one that spells
    a listed action, so every action in the log is one the auditor's page has words for.

    Concurrent writers, in this process or another, take turns (`_take_turn`), so each reads
    the newest entry only once it is theirs to follow and the chain stays linear.
    """
    if not isinstance(action, AuditAction):
        raise TypeError(f"audit action {action!r} is not an AuditAction")
    audit_key = session.info.get(KEY_INFO)
    if not audit_key:
        raise AuditKeyMissing("this database session has no audit key (use services.db)")
    _take_turn(session)
    last = session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
    entry = AuditEntry(
        seq=(last.seq + 1) if last else 1,
        at=clock.now().replace(microsecond=0),
        actor=actor,
        action=action.value,  # the stored, hashed text: exactly the enum's value
        target=target,
        details=json.dumps(details, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
        prev_hash=last.hash if last else GENESIS,
    )
    entry.hash = entry_hash(entry)
    entry.mac = entry_mac(audit_key, entry.hash)
    session.add(entry)
    session.flush()
    return entry


def _take_turn(session: Session) -> None:
    """Hold the log's append lock until the caller's transaction ends.

    Locking the newest row is not enough: a writer that waited for it still sees that row as
    the newest once it is free, and appends a second entry with the same number.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK})
    else:
        # SQLite: a write statement takes the database's write lock (waiting as long as the
        # busy timeout allows), and a transaction that holds it reads the newest state.
        nothing = update(AuditEntry).where(false()).values(seq=AuditEntry.seq)
        session.execute(nothing.execution_options(synchronize_session=False))
