"""Checking the log: every entry's hash, link, number and keyed digest, and the anchors it must
still contain."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox import crypto
from sealbox.audit.log import GENESIS, entry_hash, entry_mac
from sealbox.audit.models import AuditEntry

if TYPE_CHECKING:
    from sealbox.audit.anchor import Anchor

BATCH = 5000


@dataclass(frozen=True)
class Verdict:
    """The outcome of a verification: `broken_at` is None when the whole chain holds."""

    count: int
    head: str
    broken_at: int | None = None
    problem: str = ""
    # The first entry carrying the audit key (earlier ones predate keying), or None.
    keyed_from: int | None = None
    # The anchors the log was found to contain, newest last.
    anchored: tuple[Anchor, ...] = ()

    @property
    def intact(self) -> bool:
        return self.broken_at is None

    @property
    def legacy(self) -> int:
        """How many entries were written before the log was keyed."""
        if self.keyed_from is None:
            return self.count
        return self.keyed_from - 1


def verify(
    session: Session,
    audit_key: bytes | None = None,
    anchors: Sequence[Anchor] = (),
    expected_head: str | None = None,
) -> Verdict:
    """Walk the log in order and report the first broken link (edited, missing, moved, added).

    With `audit_key`, every entry from the first keyed one on must carry a digest made with it,
    and a log with entries must have keyed ones: rewriting and re-hashing no longer passes. Each
    of `anchors` (signatures checked by the caller) must name an entry that is still there with
    the same hash; `expected_head` is a bare witnessed hash, checked the same way.
    """
    prev_hash, expected_seq, count, last_seq = GENESIS, 1, 0, 0
    keyed_from: int | None = None
    by_seq: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        by_seq.setdefault(anchor.seq, []).append(anchor)
    for anchor in by_seq.get(0, []):
        if anchor.hash != GENESIS:
            return _broken(0, GENESIS, 1, _differs(anchor), keyed_from)
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
                return _broken(
                    count, prev_hash, expected_seq, _gap(expected_seq, entry.seq), keyed_from
                )
            if entry.prev_hash != prev_hash:
                return _broken(
                    count,
                    prev_hash,
                    entry.seq,
                    f"entry {entry.seq} does not follow entry {entry.seq - 1}: an entry before "
                    "it was removed, replaced or moved",
                    keyed_from,
                )
            if entry_hash(entry) != entry.hash:
                return _broken(
                    count,
                    prev_hash,
                    entry.seq,
                    f"entry {entry.seq} was changed after it was written (its hash does not match)",
                    keyed_from,
                )
            if audit_key is not None:
                problem = _key_problem(entry, audit_key, keyed_from)
                if problem:
                    return _broken(count, prev_hash, entry.seq, problem, keyed_from)
                if keyed_from is None and entry.mac is not None:
                    keyed_from = entry.seq
            for anchor in by_seq.get(entry.seq, []):
                if anchor.hash != entry.hash:
                    return _broken(count, prev_hash, entry.seq, _differs(anchor), keyed_from)
            prev_hash, expected_seq, last_seq = entry.hash, entry.seq + 1, entry.seq
            count += 1
            if expected_head:
                seen_heads.add(entry.hash)
        after = rows[-1].seq
    if audit_key is not None and count and keyed_from is None:
        return _broken(
            count,
            prev_hash,
            1,
            "no entry carries this instance's audit key: the log was rewritten, or written by "
            "something other than this instance",
            keyed_from,
        )
    beyond = [a for a in anchors if a.seq > last_seq]
    if beyond:
        anchor = max(beyond, key=lambda a: a.seq)
        return _broken(
            count,
            prev_hash,
            last_seq + 1,
            f"the anchor of {anchor.signed_at[:10]} names entry {anchor.seq}, but the log ends "
            f"at entry {last_seq}: entries at its end were removed",
            keyed_from,
        )
    if expected_head and expected_head not in seen_heads:
        # A log that only grew since the witness still contains the witnessed head.
        return _broken(
            count,
            prev_hash,
            last_seq + 1,
            "the witnessed head is not in the log: entries at its end were removed or rewritten",
            keyed_from,
        )
    ordered = tuple(sorted(anchors, key=lambda a: a.seq))
    return Verdict(count=count, head=prev_hash, keyed_from=keyed_from, anchored=ordered)


def _key_problem(entry: AuditEntry, audit_key: bytes, keyed_from: int | None) -> str:
    if entry.mac is None:
        if keyed_from is None:
            return ""  # written before the log was keyed; the first keyed entry seals it
        return (
            f"entry {entry.seq} carries no key although the entries before it do: it was "
            "written or rewritten without the audit key"
        )
    if not crypto.same_digest(entry.mac, entry_mac(audit_key, entry.hash)):
        return (
            f"entry {entry.seq} was not written by this instance: its keyed digest does not "
            "match, so it or an entry before it was rewritten"
        )
    return ""


def _differs(anchor: Anchor) -> str:
    return (
        f"entry {anchor.seq} differs from the anchor signed on {anchor.signed_at[:10]}: the log "
        "was rewritten up to there"
    )


def _gap(expected: int, found: int) -> str:
    if found > expected:
        return f"entry {expected} is missing (the next entry is {found}): entries were deleted"
    return f"entry {found} appears where entry {expected} belongs: entries were reordered"


def _broken(count: int, head: str, seq: int, problem: str, keyed_from: int | None) -> Verdict:
    return Verdict(count=count, head=head, broken_at=seq, problem=problem, keyed_from=keyed_from)
