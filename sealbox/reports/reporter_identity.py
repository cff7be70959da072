"""The reporter's identity, sealed at intake to a second per-report key that only the
custodians hold. A handler can read it only after a custodian approves (see
`disclosure/two_person.py`)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox import crypto
from sealbox.accounts.models import User
from sealbox.accounts.roles import Role
from sealbox.crypto import Identity, Recipient
from sealbox.errors import BadInput
from sealbox.recovery import wraps as recovery_wraps
from sealbox.reports.models import IdentityKey, Report, ReporterIdentity

MAX_FIELD = 500


@dataclass(frozen=True)
class Details:
    name: str
    contact: str

    @property
    def given(self) -> bool:
        return bool(self.name or self.contact)


class NoCustodian(BadInput):
    """Identity details came, but nobody is set up to hold them: they could never be read."""

    code = "no_custodian"


def from_fields(fields: dict[str, str], allowed: bool) -> Details | None:
    """The identity a source typed on the submit form, or None when they gave none."""
    details = Details(
        name=fields.get("identity_name", "").strip(),
        contact=fields.get("identity_contact", "").strip(),
    )
    if not details.given:
        return None
    if not allowed:
        raise BadInput("This channel does not accept identity details; leave those fields empty.")
    if len(details.name) > MAX_FIELD or len(details.contact) > MAX_FIELD:
        raise BadInput("Name and contact are at most %(max)s characters each.", max=MAX_FIELD)
    return details


def custodian_recipients(session: Session) -> dict[str, Recipient]:
    rows = session.execute(
        select(User.id, User.public_key).where(
            User.role == Role.CUSTODIAN, User.active, User.public_key.is_not(None)
        )
    )
    # The query asked for keys; the column's type cannot show that.
    return {user_id: Recipient.parse(key) for user_id, key in rows if key is not None}


def seal(session: Session, report: Report, details: Details) -> None:
    """Seal `details` to a fresh identity key wrapped to every custodian, never to a handler.

    With no custodian the details could never be read, so the submission is refused instead.
    """
    custodians = custodian_recipients(session)
    if not custodians:
        raise NoCustodian(
            "This site cannot protect identity details right now (nobody is set up to hold "
            "them). Send your report without your name and contact, or try again later."
        )
    key = Identity.generate()
    report.identity_public_key = str(key.recipient)
    body = json.dumps({"name": details.name, "contact": details.contact}).encode()
    session.add(ReporterIdentity(report_id=report.id, body=crypto.seal(body, key.recipient)))
    for user_id, recipient in custodians.items():
        wrapped = crypto.wrap_identity(key, recipient)
        session.add(IdentityKey(report_id=report.id, user_id=user_id, wrapped=wrapped))
    recovery_wraps.wrap(session, report.id, "identity", key)
    session.flush()


def read(session: Session, report_id: str, identity_key: Identity) -> Details:
    row = session.get_one(ReporterIdentity, report_id)
    data = json.loads(crypto.unseal(row.body, identity_key))
    return Details(name=data.get("name", ""), contact=data.get("contact", ""))
