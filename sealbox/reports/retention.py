"""Retention: expired reports are crypto-shredded (key wraps, rows and blobs), a count remains.

A report expires when it was closed `channel.retention_days_closed` days ago, or when nobody ever
answered it (never acknowledged, no staff reply) `channel.retention_days_unanswered` days after it
arrived. `legal_hold` keeps a report whatever its age.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sealbox import audit
from sealbox.audit.actions import AuditAction
from sealbox.channels.models import Channel
from sealbox.recovery.models import RecoveryWrap
from sealbox.reports.models import (
    Attachment,
    IdentityKey,
    Message,
    NoteKey,
    Report,
    ReportKey,
    SourceAccess,
)
from sealbox.reports.vocabulary import Author, ReportStatus
from sealbox.store.tables import tied_to_reports

if TYPE_CHECKING:
    from sealbox.services import Services

BATCH = 500


@dataclass(frozen=True)
class Shredded:
    closed: int = 0
    unanswered: int = 0
    files: int = 0
    # False when SQLite's WAL was still in use: the next chronology pass empties it.
    forgotten: bool = True

    @property
    def reports(self) -> int:
        return self.closed + self.unanswered


def expired(session: Session, today: dt.date, limit: int = BATCH) -> dict[str, list[str]]:
    """Ids of expired reports, by reason ("closed", "unanswered"), at most `limit` of each."""
    found: dict[str, list[str]] = {"closed": [], "unanswered": []}
    staff_replied = select(Message.id).where(
        Message.report_id == Report.id, Message.author == Author.STAFF
    )
    for channel in session.scalars(select(Channel)):
        closed_cutoff = today - dt.timedelta(days=channel.retention_days_closed)
        unanswered_cutoff = today - dt.timedelta(days=channel.retention_days_unanswered)
        held = Report.legal_hold.is_(True)
        found["closed"] += session.scalars(
            select(Report.id)
            .where(Report.channel_id == channel.id, ~held, Report.status == ReportStatus.CLOSED)
            .where(Report.closed_on.is_not(None), Report.closed_on <= closed_cutoff)
            .limit(limit - len(found["closed"]))
        ).all()
        found["unanswered"] += session.scalars(
            select(Report.id)
            .where(Report.channel_id == channel.id, ~held, Report.status != ReportStatus.CLOSED)
            .where(Report.acknowledged_on.is_(None), Report.received_on <= unanswered_cutoff)
            .where(~staff_replied.exists())
            .limit(limit - len(found["unanswered"]))
        ).all()
        if len(found["closed"]) >= limit and len(found["unanswered"]) >= limit:
            break
    return found


def shred_expired(services: Services) -> Shredded:
    """Delete every expired report in batches; each batch is audited with counts only.

    Then the report tables are rewritten from their live rows (`Database.relayout`): until then
    the deleted wraps and messages still sit in SQLite's WAL and free space, or in
    PostgreSQL's table files, and the passphrase would open them. (VACUUM FULL would keep any
    deleted row that another open transaction may still see; a rewrite copies only live rows.)
    """
    total = _shred_batches(services)
    if total.reports:
        total = replace(total, forgotten=forget_shredded(services))
    return total


def forget_shredded(services: Services) -> bool:
    """Rewrite the report tables from their live rows, after `shred_rows` has committed and the
    blobs are deleted; False when SQLite's WAL was still in use (the next chronology pass
    empties it)."""
    return services.db.relayout(tied_to_reports())


def _shred_batches(services: Services) -> Shredded:
    total = Shredded()
    while True:
        with services.db.transaction() as session:
            found = expired(session, services.clock.today())
            ids = found["closed"] + found["unanswered"]
            if not ids:
                return total
            blob_ids = shred_rows(session, ids)
            audit.record(
                session,
                services.clock,
                audit.SYSTEM,
                AuditAction.RETENTION_DELETED,
                None,
                closed=len(found["closed"]),
                unanswered=len(found["unanswered"]),
                files=len(blob_ids),
            )
        # Only after the rows are gone for good: a rolled-back batch must keep its files.
        for blob_id in blob_ids:
            services.blobs.delete(blob_id)
        total = Shredded(
            total.closed + len(found["closed"]),
            total.unanswered + len(found["unanswered"]),
            total.files + len(blob_ids),
        )


def shred_rows(session: Session, ids: list[str]) -> list[str]:
    """Delete reports `ids` with their key wraps first, in the caller's transaction; returns the
    blob ids to delete once it has committed, then call `forget_shredded`."""
    files = select(Attachment.blob_id).where(Attachment.report_id.in_(ids))
    blob_ids = list(session.scalars(files))
    # The key wraps first: without them every sealed byte of the report is noise.
    for table in (ReportKey, SourceAccess, IdentityKey, NoteKey, RecoveryWrap):
        session.execute(delete(table).where(table.report_id.in_(ids)))
    # Messages, files, notes, labels, identities and requests go by ON DELETE CASCADE.
    session.execute(delete(Report).where(Report.id.in_(ids)))
    return blob_ids
