"""May this staff member open this report, and with which key: every read path asks here.

Holding a wrap of the report key is what grants access (the role only decides which pages a
member is shown). A member without one is told the report does not exist, the same way on
every path, so that nobody learns which reports exist. The notes key and the identity key are
opened here too: a wrap that does not open is damaged data, never a traceback.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from sealbox import crypto
from sealbox.accounts.actor import StaffContext
from sealbox.crypto import CannotOpen, Identity, Sealed
from sealbox.errors import DamagedData, Forbidden, NotFound
from sealbox.reports.models import IdentityKey, NoteKey, Report, ReportKey

NOT_YOURS = "This report does not exist or is not yours to read."
READ_OFFLINE = "This report is sealed for offline reading: download the export."
KEY_DAMAGED = "The key of this report could not be opened: the stored wrap is damaged."
NO_NOTES_KEY = "You hold no key to this report's notes."
NO_IDENTITY_KEY = "You hold no key to this reporter's identity."


def require_wrap(session: Session, user_id: str, report_id: str) -> ReportKey:
    """The caller's wrap of the report key; NotFound when they hold none (any other channel)."""
    wrap = session.get(ReportKey, (report_id, user_id))
    if wrap is None:
        raise NotFound(NOT_YOURS)
    return wrap


def open_report_key(session: Session, ctx: StaffContext, report_id: str) -> Identity:
    """The report key, opened with the caller's own key.

    NotFound without a wrap; Forbidden when the caller's key is kept offline (the server
    cannot open it for them); DamagedData when the stored wrap does not open.
    """
    wrap = require_wrap(session, ctx.user_id, report_id)
    if ctx.identity is None:
        raise Forbidden(READ_OFFLINE)
    return _unwrap(wrap.wrapped, ctx.identity)


def open_notes_key(
    session: Session, report_id: str, user_id: str, own: Identity
) -> Identity | None:
    """The notes key opened with the handler's own key; None while the report has no notes."""
    wrap = session.get(NoteKey, (report_id, user_id))
    if wrap is None:
        report = session.get(Report, report_id)
        if report is None or report.notes_public_key is None:
            return None
        raise Forbidden(NO_NOTES_KEY)
    return _unwrap(wrap.wrapped, own)


def open_identity_key(session: Session, report_id: str, user_id: str, own: Identity) -> Identity:
    """The key of the reporter's identity, for a custodian or a handler it was disclosed to;
    Forbidden for anyone who holds no wrap of it."""
    wrap = session.get(IdentityKey, (report_id, user_id))
    if wrap is None:
        raise Forbidden(NO_IDENTITY_KEY)
    return _unwrap(wrap.wrapped, own)


def _unwrap(wrapped: Sealed, own: Identity) -> Identity:
    try:
        return crypto.unwrap_identity(wrapped, own)
    except CannotOpen as exc:
        raise DamagedData(KEY_DAMAGED) from exc
