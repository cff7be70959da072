"""The recovery service `sealbox recovery-key` and `sealbox recovery` call
(`services.recovery`). The command line is the only door: recovery is an operator's act, with
the organisation's offline key, and each step is audited here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from sealbox import audit
from sealbox.accounts.actor import CommandLine
from sealbox.accounts.models import User
from sealbox.audit.actions import AuditAction
from sealbox.backup import recipients as keys
from sealbox.crypto import Recipient
from sealbox.errors import NotFound
from sealbox.recovery import claims, wraps
from sealbox.recovery.models import RecoveryKey

if TYPE_CHECKING:  # the composition root: for annotations only, never imported here
    from sealbox.services import Services


@dataclass(frozen=True)
class Exported:
    bundle: dict[str, Any]
    keys: int
    without_wrap: int  # keys made before any recovery key whose holders have not logged in


class Recovery:
    def __init__(self, services: Services) -> None:
        self._services = services

    def add_key(self, actor: CommandLine, public_key: str) -> tuple[Recipient, dict[str, int]]:
        """Register a recovery key (`age1...`; BadKey for anything else); returns it and, per
        kind, the keys still to be wrapped to it (each is wrapped at its holder's next login)."""
        recipient = keys.public_key(public_key)
        svc = self._services
        with svc.db.transaction() as session:
            known = session.scalar(
                select(RecoveryKey).where(RecoveryKey.public_key == str(recipient))
            )
            if known is None:
                session.add(RecoveryKey(public_key=str(recipient), added_on=svc.clock.today()))
            else:
                known.active = True
            session.flush()
            audit.record(
                session,
                svc.clock,
                actor.username,
                AuditAction.RECOVERY_KEY_ADDED,
                None,
                fingerprint=recipient.fingerprint,
            )
            return recipient, wraps.missing(session)

    def keys(self) -> list[Recipient]:
        with self._services.db.transaction() as session:
            return [recipient for _, recipient in wraps.recipients(session)]

    def missing(self) -> dict[str, int]:
        with self._services.db.transaction() as session:
            return wraps.missing(session)

    def export(self, actor: CommandLine, username: str) -> Exported:
        """The recovery wraps of every key `username` holds or held before a reset."""
        svc = self._services
        with svc.db.transaction() as session:
            user = _user(session, username)
            bundle, without = claims.export(session, user)
            audit.record(
                session,
                svc.clock,
                actor.username,
                AuditAction.RECOVERY_EXPORTED,
                f"user:{user.id}",
                keys=len(bundle["items"]),
                without_wrap=without,
            )
        return Exported(bundle, len(bundle["items"]), without)

    def accept(self, actor: CommandLine, username: str, reopened: object) -> int:
        """Store a reopened bundle's wraps as `username`'s; returns how many."""
        svc = self._services
        with svc.db.transaction() as session:
            user = _user(session, username)
            stored = claims.accept(session, user, reopened)
            audit.record(
                session,
                svc.clock,
                actor.username,
                AuditAction.RECOVERY_IMPORTED,
                f"user:{user.id}",
                keys=stored,
            )
        return stored


def _user(session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("No account is named “%(name)s”.", name=username)
    return user
