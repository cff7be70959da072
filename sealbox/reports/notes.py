"""Internal notes: written by a report's handlers and sealed to a per-report notes key that is
wrapped to those handlers only. Not the report key: the source holds that one."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox import audit, crypto
from sealbox.accounts.actor import StaffContext
from sealbox.accounts.models import User
from sealbox.audit.actions import AuditAction
from sealbox.clock import Clock
from sealbox.crypto import Identity, Recipient
from sealbox.errors import BadInput, EmptyReport
from sealbox.recovery import wraps as recovery_wraps
from sealbox.reports import access, dialog
from sealbox.reports.models import Note, NoteKey, Report, ReportKey

MAX_NOTE_CHARS = 20_000


@dataclass(frozen=True)
class NoteView:
    author: str
    written_on: dt.date
    text: str


def notes_recipient(session: Session, report: Report) -> Recipient:
    """The notes key's public half, made at intake (or, for older reports, on the first note or
    title) and wrapped to every key holder. Notes, titles, previews and tags are sealed to it."""
    if report.notes_public_key is None:
        key = Identity.generate()
        report.notes_public_key = str(key.recipient)
        holders = session.execute(
            select(User.id, User.public_key)
            .join(ReportKey, ReportKey.user_id == User.id)
            .where(ReportKey.report_id == report.id, User.public_key.is_not(None))
        )
        for user_id, public_key in holders:
            assert public_key is not None  # the query asked for keys
            wrapped = crypto.wrap_identity(key, Recipient.parse(public_key))
            session.add(NoteKey(report_id=report.id, user_id=user_id, wrapped=wrapped))
        recovery_wraps.wrap(session, report.id, "notes", key)
        session.flush()
    return Recipient.parse(report.notes_public_key)


def add_note(session: Session, clock: Clock, ctx: StaffContext, report_id: str, text: str) -> None:
    """Seal a note to the report; the audit log records that a note was written, not what."""
    access.require_wrap(session, ctx.user_id, report_id)
    text = text.strip()
    if not text:
        raise EmptyReport("The note is empty.")
    if len(text) > MAX_NOTE_CHARS:
        raise BadInput("A note has at most %(max)s characters.", max=MAX_NOTE_CHARS)
    report = session.get_one(Report, report_id, with_for_update=True)
    note: dialog.NoteBody = {"text": text}
    body = crypto.seal(json.dumps(note).encode(), notes_recipient(session, report))
    session.add(
        Note(report_id=report_id, author_id=ctx.user_id, written_on=clock.today(), body=body)
    )
    audit.record(session, clock, ctx.username, AuditAction.NOTE_ADDED, f"report:{report_id}")


def notes(session: Session, report_id: str, user_id: str, own: Identity) -> list[NoteView]:
    """The report's notes, oldest first."""
    key = access.open_notes_key(session, report_id, user_id, own)
    if key is None:
        return []
    rows = session.execute(
        select(Note, User.username)
        .outerjoin(User, User.id == Note.author_id)
        .where(Note.report_id == report_id)
        .order_by(Note.written_on, Note.id)
    )
    return [
        NoteView(username or "?", note.written_on, dialog.open_note(note.body, key)["text"])
        for note, username in rows
    ]
