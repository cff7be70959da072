"""The quarantine: new reports that came past an hourly ceiling (sealbox.reports.ceilings) wait
here, out of the inbox, until a handler of their channel triages them, many at a time: "not
spam" moves them to the inbox, "spam" crypto-shreds them (sealbox.reports.retention).

Only a holder of a report's key wrap sees or triages it, as everywhere else. Every listing and
every triage is in the audit log, one entry per report triaged.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Exists, func, select
from sqlalchemy.orm import Session

from sealbox import audit, notify
from sealbox.accounts.actor import StaffContext
from sealbox.audit.actions import AuditAction
from sealbox.channels import answers
from sealbox.channels.models import Channel
from sealbox.clock import Clock
from sealbox.errors import BadInput, DamagedData
from sealbox.reports import access, dialog, retention
from sealbox.reports.models import Attachment, Report, ReportKey

if TYPE_CHECKING:
    from sealbox.services import Services

PAGE_SIZE = 100
EXCERPT_CHARS = 240
# Counting past this costs more than it tells: the page then says "1,000+".
COUNT_CAP = 1_000
_ID = re.compile(r"[0-9a-f]{32}")
CHOOSE_ACTION = "Choose “Not spam” or “Spam” for the chosen reports."
CONFIRM_SPAM = "Tick the box that confirms spam is destroyed for good, then choose “Spam” again."


@dataclass(frozen=True)
class Waiting:
    """A quarantined report as the triage page lists it."""

    report_id: str
    channel_name: str
    received_on: dt.date
    files: int
    # The beginning of the source's text; None when the reader's key is offline.
    excerpt: str | None


@dataclass(frozen=True)
class QuarantinePage:
    items: tuple[Waiting, ...]
    page: int
    total: int
    capped: bool

    @property
    def has_next(self) -> bool:
        return self.page * PAGE_SIZE < self.total or (self.capped and len(self.items) > 0)


@dataclass(frozen=True)
class Triaged:
    done: int  # moved to the inbox, or shredded
    skipped: int  # no longer in quarantine, not the caller's, or (for spam) under legal hold
    forgotten: bool = True  # False when SQLite's WAL was busy: the next chronology pass empties it


def _theirs(user_id: str) -> Exists:
    return (
        select(ReportKey.report_id)
        .where(ReportKey.report_id == Report.id, ReportKey.user_id == user_id)
        .exists()
    )


def waiting(session: Session, user_id: str, channel_id: str = "") -> int:
    """How many quarantined reports `user_id` holds a key for (at most COUNT_CAP + 1)."""
    conditions = [Report.quarantined.is_(True), _theirs(user_id)]
    if channel_id:
        conditions.append(Report.channel_id == channel_id)
    inner = select(Report.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
    return session.scalar(select(func.count()).select_from(inner)) or 0


def listing(
    session: Session, clock: Clock, ctx: StaffContext, page: int = 1, channel_id: str = ""
) -> QuarantinePage:
    """One page of the caller's quarantine, newest first, with the beginning of each report;
    audited as one entry naming every report shown."""
    total = waiting(session, ctx.user_id, channel_id)
    pages = max(1, -(-min(total, COUNT_CAP) // PAGE_SIZE))
    page = max(1, page) if total > COUNT_CAP else min(max(1, page), pages)
    conditions = [Report.quarantined.is_(True), _theirs(ctx.user_id)]
    if channel_id:
        conditions.append(Report.channel_id == channel_id)
    rows = session.execute(
        select(Report.id, Report.received_on, Channel.name)
        .join(Channel, Channel.id == Report.channel_id)
        .where(*conditions)
        .order_by(Report.received_on.desc(), Report.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    ids = [report_id for report_id, _, _ in rows]
    files = dict(
        session.execute(
            select(Attachment.report_id, func.count())
            .where(Attachment.report_id.in_(ids), Attachment.held.is_(False))
            .group_by(Attachment.report_id)
        ).all()
    )
    items = tuple(
        Waiting(
            report_id,
            channel_name,
            received_on,
            files.get(report_id, 0),
            _excerpt(session, ctx, report_id),
        )
        for report_id, received_on, channel_name in rows
    )
    if items:
        audit.record(
            session,
            clock,
            ctx.username,
            AuditAction.QUARANTINE_LISTED,
            None,
            reports=ids,
            page=page,
        )
    return QuarantinePage(items, page, min(total, COUNT_CAP), capped=total > COUNT_CAP)


def release(session: Session, clock: Clock, ctx: StaffContext, report_ids: list[str]) -> Triaged:
    """ "Not spam": move the chosen reports from quarantine to the inbox."""
    chosen = parse_choice(report_ids)
    found = _quarantined(session, ctx.user_id, chosen)
    for report in found:
        report.quarantined = False
        audit.record(
            session, clock, ctx.username, AuditAction.QUARANTINE_RELEASED, f"report:{report.id}"
        )
    return Triaged(len(found), len(chosen) - len(found))


def shred_spam(services: Services, ctx: StaffContext, report_ids: list[str]) -> Triaged:
    """ "Spam": crypto-shred the chosen quarantined reports (key wraps, rows, files), then
    rewrite the report tables so no byte of them is left. A report under legal hold stays."""
    chosen = parse_choice(report_ids)
    with services.db.transaction() as session:
        found = [r for r in _quarantined(session, ctx.user_id, chosen) if not r.legal_hold]
        ids = [report.id for report in found]
        by_channel: dict[str, int] = {}
        for report in found:
            by_channel[report.channel_id] = by_channel.get(report.channel_id, 0) + 1
            audit.record(
                session,
                services.clock,
                ctx.username,
                AuditAction.QUARANTINE_SHREDDED,
                f"report:{report.id}",
            )
        for channel_id, count in by_channel.items():
            # The channel's other handlers hear of it: spam is one click from suppression.
            notify.spam_shredded(session, services.clock, channel_id, ctx.user_id, count)
        blob_ids = retention.shred_rows(session, ids)
    # Only after the rows are gone for good: a rolled-back triage must keep its files.
    for blob_id in blob_ids:
        services.blobs.delete(blob_id)
    forgotten = retention.forget_shredded(services) if ids else True
    return Triaged(len(ids), len(chosen) - len(ids), forgotten)


def check_triage(action: str, report_ids: list[str], confirmed: bool) -> list[str]:
    """The chosen report ids for `action` ("release" or "spam"); BadInput for another action,
    for no or a malformed choice, and for spam whose destruction was not confirmed."""
    if action not in ("release", "spam"):
        raise BadInput(CHOOSE_ACTION)
    chosen = parse_choice(report_ids)
    if action == "spam" and not confirmed:
        raise BadInput(CONFIRM_SPAM)
    return chosen


def parse_choice(report_ids: list[str]) -> list[str]:
    """The chosen report ids, each once; BadInput when none is chosen or one is malformed."""
    chosen = list(dict.fromkeys(report_ids))
    if not chosen:
        raise BadInput("Choose at least one report.")
    if len(chosen) > PAGE_SIZE or not all(_ID.fullmatch(i) for i in chosen):
        raise BadInput("The choice of reports could not be read. Reload the page and choose again.")
    return chosen


def _quarantined(session: Session, user_id: str, ids: list[str]) -> list[Report]:
    """The reports among `ids` still in quarantine whose key `user_id` holds, locked."""
    return list(
        session.scalars(
            select(Report)
            .where(Report.id.in_(ids), Report.quarantined.is_(True), _theirs(user_id))
            .order_by(Report.id)
            .with_for_update()
        )
    )


def _excerpt(session: Session, ctx: StaffContext, report_id: str) -> str | None:
    if ctx.identity is None:
        return None
    try:
        key = access.open_report_key(session, ctx, report_id)
        messages = dialog.ordered_messages(session, report_id, key)
        body = dialog.open_body(messages[0][1].body, key) if messages else None
    except DamagedData:
        return ""
    if body is None:
        return ""
    text = " ".join(body.get("text", "").split())
    if not text:
        pairs = answers.shown(body.get("answers"), "en")
        text = " · ".join(" ".join(answer.split()) for _, answer in pairs)
    return text[:EXCERPT_CHARS] + ("…" if len(text) > EXCERPT_CHARS else "")
