"""The backup service `sealbox backup` calls (`services.backups`): the offline keys, making a
backup and recording a restore. Each is audited here, once."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sealbox import audit
from sealbox.accounts.actor import CommandLine
from sealbox.audit.actions import AuditAction
from sealbox.backup import backups, recipients
from sealbox.backup.backups import Contents, Made, Progress
from sealbox.crypto import Recipient

if TYPE_CHECKING:  # the composition root: for annotations only, never imported here
    from sealbox.services import Services


class NoBackupKey(Exception):
    """No offline key is registered or named: a backup would have no one to open it."""


class Backups:
    def __init__(self, services: Services) -> None:
        self._services = services

    @property
    def _keys_file(self) -> Path:
        return recipients.path_in(self._services.settings.data_dir)

    def keys(self) -> list[Recipient]:
        return recipients.read(self._keys_file)

    def add_key(self, actor: CommandLine, public_key: str) -> tuple[Recipient, bool]:
        """Register an offline key (`age1...`) every later backup is sealed to; with whether it
        was new. BadKey for anything else."""
        recipient = recipients.public_key(public_key)
        added = recipients.add(self._keys_file, recipient)
        if added:
            self._record(actor, AuditAction.BACKUP_KEY_ADDED, fingerprint=recipient.fingerprint)
        return recipient, added

    def remove_key(self, actor: CommandLine, public_key: str) -> bool:
        recipient = recipients.public_key(public_key)
        removed = recipients.remove(self._keys_file, recipient)
        if removed:
            self._record(actor, AuditAction.BACKUP_KEY_REMOVED, fingerprint=recipient.fingerprint)
        return removed

    def create(
        self,
        actor: CommandLine,
        output: Path,
        also_to: Sequence[str] = (),
        base: Path | None = None,
        progress: Progress = lambda done, total: None,
    ) -> Made:
        """A backup sealed to the registered keys (and `also_to`); audited once it is whole."""
        keys = [*self.keys(), *(recipients.public_key(text) for text in also_to)]
        if not keys:
            raise NoBackupKey(
                "no offline backup key is registered: run `sealbox backup key add age1...` "
                "with the public key of a key kept off this server"
            )
        svc = self._services
        made = backups.create(
            svc.settings, svc.db.engine, svc.blobs, svc.clock, output, keys, base, progress
        )
        self._record(
            actor,
            AuditAction.BACKUP_CREATED,
            backup=made.backup_id,
            blobs=made.blobs,
            incremental=base is not None,
            keys=", ".join(k.fingerprint for k in keys),
        )
        return made

    def restored(self, actor: CommandLine, contents: Contents) -> None:
        """Note in the restored log that it was restored, and from which backup."""
        self._record(
            actor,
            AuditAction.BACKUP_RESTORED,
            backup=str(contents.manifest.get("backup_id", "")),
            made_on=str(contents.manifest.get("made_on", "")),
        )

    def _record(self, actor: CommandLine, action: AuditAction, **details: object) -> None:
        svc = self._services
        with svc.db.transaction() as session:
            audit.record(session, svc.clock, actor.username, action, None, **details)
