"""Replacing a staff member's key pair with a fresh one made under their own password.

Releases before enrolment by the holder made a handler's key pair when the account was created,
under the password its creator saw. Such a key may be known to that person (with any copy of
the database from that time), so it is replaced at the holder's next login: every wrap the old
key holds is re-wrapped to the new key, and new reports are sealed to the new key only.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox import audit, crypto
from sealbox.accounts.models import User
from sealbox.audit.actions import AuditAction
from sealbox.clock import Clock
from sealbox.crypto import Identity, Recipient, Sealed
from sealbox.disclosure.models import DisclosureRequest
from sealbox.kdf_queue import KdfQueue
from sealbox.reports.models import IdentityKey, NoteKey, Report, ReportKey

# Tables whose old rows (the old key's wraps) must not survive in the database files.
TOUCHED = ("users", "report_keys", "note_keys", "identity_keys", "disclosure_requests")


def rotate(
    session: Session, clock: Clock, user: User, old: Identity, password: str, kdf: KdfQueue
) -> Identity:
    """Give `user` a new key pair under `password`, moving every wrap over; returns the new key.

    The caller ends the sessions that hold the old key, seals the new key into the current
    session, and forgets TOUCHED after the commit.
    """
    new = Identity.generate()
    recipient = new.recipient
    moved = 0
    wraps: list[ReportKey | NoteKey | IdentityKey] = [
        *session.scalars(select(ReportKey).where(ReportKey.user_id == user.id)),
        *session.scalars(select(NoteKey).where(NoteKey.user_id == user.id)),
        *session.scalars(select(IdentityKey).where(IdentityKey.user_id == user.id)),
    ]
    for wrap in wraps:
        wrap.wrapped = crypto.wrap_identity(crypto.unwrap_identity(wrap.wrapped, old), recipient)
        moved += 1
    # A handler's disclosure reasons are sealed to the identity key and to their own key.
    for row in session.scalars(
        select(DisclosureRequest).where(DisclosureRequest.handler_id == user.id)
    ):
        report = session.get_one(Report, row.report_id)
        row.reason = _reseal(row.reason, old, report, recipient)
        if row.decision_reason is not None:
            row.decision_reason = _reseal(row.decision_reason, old, report, recipient)
    user.public_key = str(recipient)
    user.key_salt = secrets.token_bytes(16)
    wrapping = kdf.password_key(password, user.key_salt)
    user.wrapped_private_key = crypto.wrap_identity(new, wrapping.recipient)
    user.key_rotation_due = False
    audit.record(
        session,
        clock,
        user.username,
        AuditAction.KEY_ROTATED,
        f"user:{user.id}",
        wraps=moved,
        fingerprint=recipient.fingerprint,
    )
    return new


def _reseal(sealed: Sealed, old: Identity, report: Report, recipient: Recipient) -> Sealed:
    text = crypto.unseal(sealed, old)
    assert report.identity_public_key is not None  # a disclosure request names an identity
    return crypto.seal(text, Recipient.parse(report.identity_public_key), recipient)
