"""Writing the log out as JSON Lines, one entry a line, in chain order."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox.audit.log import timestamp
from sealbox.audit.models import AuditEntry

BATCH = 5000


def entries(session: Session) -> Iterator[AuditEntry]:
    """Every entry in order, fetched in batches so a long log needs little memory."""
    after = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(BATCH)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq


def as_dict(entry: AuditEntry) -> dict[str, object]:
    """The entry with its exact hashed fields, so a reader can recompute the chain."""
    return {
        "seq": entry.seq,
        "at": timestamp(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def write_jsonl(session: Session, sink: TextIO) -> int:
    """Write every entry as one JSON object per line; returns how many."""
    count = 0
    for entry in entries(session):
        sink.write(json.dumps(as_dict(entry), ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count
