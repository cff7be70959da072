"""A title the handlers give a report, and reading the row texts (title, preview) for a page.

Both are sealed to the report's notes key, which is wrapped to its handlers only: the source
holds the report key, so a handler's words about the case must not be sealed to that, and a
copy of the server opens neither. They are opened in memory for the page that shows them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox import audit, crypto
from sealbox.accounts.actor import StaffContext
from sealbox.audit.actions import AuditAction
from sealbox.clock import Clock
from sealbox.crypto import CannotOpen, Identity, Sealed
from sealbox.errors import BadInput
from sealbox.reports import access, notes
from sealbox.reports.models import NoteKey, Report

MAX_TITLE_CHARS = 120


@dataclass(frozen=True)
class RowText:
    """What a row of the inbox says about a report, opened for one page."""

    title: str = ""
    preview: str = ""


def set_title(session: Session, clock: Clock, ctx: StaffContext, report_id: str, text: str) -> str:
    """Seal the report's title (empty clears it); the audit log says a title was set, not what."""
    access.require_wrap(session, ctx.user_id, report_id)
    title = " ".join(text.split())
    if len(title) > MAX_TITLE_CHARS:
        raise BadInput("A title has at most %(max)s characters.", max=MAX_TITLE_CHARS)
    report = session.get_one(Report, report_id, with_for_update=True)
    report.title = (
        crypto.seal(title.encode(), notes.notes_recipient(session, report)) if title else None
    )
    audit.record(session, clock, ctx.username, AuditAction.REPORT_TITLE, f"report:{report_id}")
    return title


def title_of(session: Session, report: Report, user_id: str, identity: Identity) -> str:
    """The report's title for its page (opened with the caller's notes key)."""
    if report.title is None:
        return ""
    key = access.open_notes_key(session, report.id, user_id, identity)
    return "" if key is None else _open(report.title, key)


def row_texts(
    session: Session, user_id: str, identity: Identity | None, reports: Iterable[Report]
) -> dict[str, RowText]:
    """Title and preview of each report whose notes key `identity` opens (others: nothing)."""
    wanted = [r for r in reports if r.title is not None or r.preview is not None]
    if identity is None or not wanted:
        return {}
    wraps = dict(
        session.execute(
            select(NoteKey.report_id, NoteKey.wrapped).where(
                NoteKey.user_id == user_id, NoteKey.report_id.in_([r.id for r in wanted])
            )
        ).all()
    )
    texts = {}
    for report in wanted:
        wrap = wraps.get(report.id)
        if wrap is None:
            continue
        try:
            key = crypto.unwrap_identity(wrap, identity)
        except CannotOpen:
            continue  # a damaged wrap: the row shows no text, the report page says why
        texts[report.id] = RowText(_open(report.title, key), _open(report.preview, key))
    return texts


def _open(sealed: Sealed | None, key: Identity) -> str:
    if sealed is None:
        return ""
    try:
        return crypto.unseal(sealed, key).decode()
    except (CannotOpen, UnicodeDecodeError):
        return ""
