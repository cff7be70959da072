"""Checking the chain: every entry's hash, its link to the one before, and the numbering."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox.audit.log import GENESIS, entry_hash
from sealbox.audit.models import AuditEntry

BATCH = 5000


@dataclass(frozen=True)
class Verdict:
    """The outcome of a verification: `broken_at` is None when the whole chain holds."""

    count: int
    head: str
    broken_at: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify(session: Session, expected_head: str | None = None) -> Verdict:
    """Walk the log in order and report the first broken link (edited, missing, moved, added).

    A log cut short at its end still forms a valid chain; pass a head witnessed earlier as
    `expected_head` to detect that too.
    """
    prev_hash, expected_seq, count, last_seq = GENESIS, 1, 0, 0
    seen_heads = {GENESIS} if expected_head else set()
    after = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(BATCH)
        ).all()
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                return _broken(count, prev_hash, expected_seq, _gap(expected_seq, entry.seq))
            if entry.prev_hash != prev_hash:
                return _broken(
                    count,
                    prev_hash,
                    entry.seq,
                    f"entry {entry.seq} does not follow entry {entry.seq - 1}: an entry before "
                    "it was removed, replaced or moved",
                )
            if entry_hash(entry) != entry.hash:
                return _broken(
                    count,
                    prev_hash,
                    entry.seq,
                    f"entry {entry.seq} was changed after it was written (its hash does not match)",
                )
            prev_hash, expected_seq, last_seq = entry.hash, entry.seq + 1, entry.seq
            count += 1
            if expected_head:
                seen_heads.add(entry.hash)
        after = rows[-1].seq
    if expected_head and expected_head not in seen_heads:
        # A log that only grew since the witness still contains the witnessed head.
        return _broken(
            count,
            prev_hash,
            last_seq + 1,
            "the witnessed head is not in the log: entries at its end were removed or rewritten",
        )
    return Verdict(count=count, head=prev_hash)


def _gap(expected: int, found: int) -> str:
    if found > expected:
        return f"entry {expected} is missing (the next entry is {found}): entries were deleted"
    return f"entry {found} appears where entry {expected} belongs: entries were reordered"


def _broken(count: int, head: str, seq: int, problem: str) -> Verdict:
    return Verdict(count=count, head=head, broken_at=seq, problem=problem)
