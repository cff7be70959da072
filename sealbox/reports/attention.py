"""Which of a handler's reports need attention: those with source messages they have not read.

How far a handler has read is sealed to their own key (`ReadMark`), so the database cannot
answer "unread" by itself, and must not be able to: a clear "unread" bit beside the audit log's
time of the handler's last look would date the source's follow-up against a staff action. So:
- a report the handler has never opened is unread, and the database finds those (no mark row,
  which says only what the audit log says: that they opened it);
- a report they have opened can be unread only if the source wrote more than once (its count
  of source messages is in clear); for those, the marks are opened here, in memory, newest
  activity first, at most SCAN_CAP per request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from sealbox import crypto
from sealbox.channels.models import Channel
from sealbox.crypto import CannotOpen, Identity, Sealed
from sealbox.reports.models import Message, ReadMark, Report

# Marks opened at most per request (about 0.2 ms each): a handler who has opened more reports
# with follow-ups than this sees the newest SCAN_CAP of them checked.
SCAN_CAP = 5_000
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class Unread:
    report: Report
    channel_name: str
    seen: int  # source messages read so far (0: never opened)


def seen_count(mark: Sealed | None, identity: Identity | None) -> int:
    """Source messages the holder of `identity` has read; 0 without a mark or a key to it."""
    if mark is None or identity is None:
        return 0
    try:
        return int(crypto.unseal(mark, identity))
    except (CannotOpen, ValueError):
        return 0  # a mark this key cannot open counts as unread


def unread(
    session: Session,
    user_id: str,
    identity: Identity | None,
    conditions: Sequence[ColumnElement[bool]],
    want: int,
) -> tuple[list[Unread], bool]:
    """Up to `want` of the reports matching `conditions` with unread source messages, newest
    activity first (ties: the report's random id, see inbox.py); and whether there are more."""
    order = (Report.activity_on.desc(), Report.id.desc())
    marked = (
        select(ReadMark.report_id)
        .where(ReadMark.report_id == Report.id, ReadMark.user_id == user_id)
        .exists()
    )
    never = [
        Unread(report, name, 0)
        for report, name in session.execute(
            select(Report, Channel.name)
            .join(Channel, Channel.id == Report.channel_id)
            .where(*conditions, ~marked)
            .order_by(*order)
            .limit(want + 1)
        )
    ]
    # Driven by the reader's own marks (ix_read_marks_user), not by walking every report.
    candidates = sorted(
        session.execute(
            select(Report.id, Report.activity_on, Report.source_seq, ReadMark.seen)
            .join(Report, Report.id == ReadMark.report_id)
            .where(ReadMark.user_id == user_id, Report.source_seq > 1, *conditions)
        ).all(),
        key=lambda row: (row.activity_on or _EPOCH, row.id),
        reverse=True,
    )
    behind: dict[str, int] = {}
    for row in candidates[:SCAN_CAP]:
        # Only needs to reach past the oldest of `never` that could still make the cut.
        if len(behind) > want:
            break
        seen = seen_count(row.seen, identity)
        if seen < row.source_seq:
            behind[row.id] = seen
    opened = []
    if behind:
        opened = [
            Unread(report, name, behind[report.id])
            for report, name in session.execute(
                select(Report, Channel.name)
                .join(Channel, Channel.id == Report.channel_id)
                .where(Report.id.in_(list(behind)))
            )
        ]
    merged = sorted(
        never + opened,
        key=lambda u: (u.report.activity_on or _EPOCH, u.report.id),
        reverse=True,
    )
    more = len(merged) > want or len(candidates) > SCAN_CAP
    return merged[:want], more


def newest_from_source(session: Session, report_ids: Sequence[str]) -> dict[str, dt.date]:
    """The day of each report's newest source message (days only are stored)."""
    if not report_ids:
        return {}
    return dict(
        session.execute(
            select(Message.report_id, func.max(Message.sent_on))
            .where(and_(Message.report_id.in_(list(report_ids)), Message.author == "source"))
            .group_by(Message.report_id)
        ).all()
    )
