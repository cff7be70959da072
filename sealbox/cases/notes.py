"""Internal notes: written by a report's handlers, sealed to the report key, never shown to
the source (the source pages do not read this table)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox import audit, crypto
from sealbox.cases import dialog, inbox
from sealbox.cases.errors import BadInput, EmptyReport
from sealbox.cases.staff_sessions import StaffContext
from sealbox.clock import Clock
from sealbox.crypto import Identity, Recipient
from sealbox.store.models import Note, Report, User

MAX_NOTE_CHARS = 20_000


@dataclass(frozen=True)
class NoteView:
    author: str
    written_on: dt.date
    text: str


def add_note(session: Session, clock: Clock, ctx: StaffContext, report_id: str, text: str) -> None:
    """Seal a note to the report; the audit log records that a note was written, not what."""
    inbox.report_key(session, ctx.user_id, report_id)
    text = text.strip()
    if not text:
        raise EmptyReport("The note is empty.")
    if len(text) > MAX_NOTE_CHARS:
        raise BadInput(f"A note has at most {MAX_NOTE_CHARS:,} characters.")
    report = session.get(Report, report_id)
    body = crypto.seal(json.dumps({"text": text}).encode(), Recipient.parse(report.public_key))
    session.add(
        Note(report_id=report_id, author_id=ctx.user_id, written_on=clock.today(), body=body)
    )
    audit.record(session, clock, ctx.username, "note_added", f"report:{report_id}")


def notes(session: Session, report_id: str, report_identity: Identity) -> list[NoteView]:
    """The report's notes, oldest first, opened with the report key."""
    rows = session.execute(
        select(Note, User.username)
        .outerjoin(User, User.id == Note.author_id)
        .where(Note.report_id == report_id)
        .order_by(Note.written_on, Note.id)
    )
    return [
        NoteView(
            username or "?", note.written_on, dialog.open_json(note.body, report_identity)["text"]
        )
        for note, username in rows
    ]
