"""The audit service: what the auditor's pages and `sealbox audit` call.

A staff member's reading of the log is itself recorded: verifying (`audit_verified`, with the
verdict), signing a head to take away (`audit_anchor_downloaded`) and exporting
(`audit_exported`). The entry is written here, once, in one shape.

The command line acts as the operator of the server, not as a staff account (`actor` None):
it reads without writing, so that the head it verifies, exports or prints is the head an
operator witnesses (`sealbox audit head` right after `sealbox audit verify` names the same
entry, and an export ends with the head).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from sealbox.accounts import roles
from sealbox.accounts.actor import StaffContext
from sealbox.accounts.roles import Role
from sealbox.audit import anchor, export, search
from sealbox.audit.actions import AuditAction
from sealbox.audit.anchor import Anchor
from sealbox.audit.log import record
from sealbox.audit.verify import Verdict
from sealbox.locale import Message

if TYPE_CHECKING:  # the composition root: for annotations only, never imported here
    from sealbox.services import Services

PAGE_SIZE = 100


@dataclass(frozen=True)
class AuditListing:
    """One page of the log and every action name in it (the filter's choices)."""

    log: search.AuditPage
    actions: list[search.ActionName]


@dataclass(frozen=True)
class Verification:
    """The verdict, or (`verdict` None) why an anchor the log was checked against was refused."""

    verdict: Verdict | None
    anchor_problem: Message | None = None

    @property
    def intact(self) -> bool:
        return self.verdict is not None and self.verdict.intact


class AuditTrail:
    """Reading, verifying, anchoring and exporting the audit log."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def search(
        self, ctx: StaffContext, filters: search.Filters, page: int, page_size: int = PAGE_SIZE
    ) -> AuditListing:
        """One page of entries matching `filters`, newest first."""
        roles.require(ctx.role, Role.AUDITOR)
        with self._services.db.transaction() as session:
            listing = search.search(session, filters, page, page_size)
            actions = search.actions(session)
        return AuditListing(listing, actions)

    @staticmethod
    def read_anchor(text: str) -> Anchor:
        """An anchor an auditor kept (its JSON, alone or in a saved mail); BadAnchor when the
        text holds none. Whether this instance signed it is checked by `verify`."""
        return anchor.parse(text)

    def verify(
        self,
        actor: StaffContext | None,
        anchors: Sequence[Anchor] = (),
        expected_head: str | None = None,
    ) -> Verification:
        """Verify the log against the server's anchor and `anchors` (and a witnessed head)."""
        self._require(actor)
        try:
            result = Verification(anchor.verify_instance(self._services, anchors, expected_head))
        except anchor.BadAnchor as exc:
            result = Verification(None, exc.message)
        self._record(actor, AuditAction.AUDIT_VERIFIED, intact=result.intact)
        return result

    def sign_anchor(self, actor: StaffContext | None) -> Anchor:
        """Verify the log, then sign its head now and keep it as the server's anchor too.

        anchor.LogBroken or anchor.BadAnchor when it fails verification: nothing is signed.
        A staff member's download is recorded first, so the anchor they take covers it.
        """
        self._require(actor)
        self._record(actor, AuditAction.AUDIT_ANCHOR_DOWNLOADED)
        return anchor.sign_head(self._services)

    def export(self, actor: StaffContext | None, sink: TextIO) -> int:
        """Write the whole log to `sink` as JSON Lines (a staff member's export included);
        returns how many entries."""
        self._require(actor)
        self._record(actor, AuditAction.AUDIT_EXPORTED)
        with self._services.db.transaction() as session:
            return export.write_jsonl(session, sink)

    def head(self) -> tuple[int, str]:
        """(number, hash) of the newest entry, to be witnessed elsewhere."""
        return anchor.head(self._services)

    def _require(self, actor: StaffContext | None) -> None:
        if actor is not None:
            roles.require(actor.role, Role.AUDITOR)

    def _record(self, actor: StaffContext | None, action: AuditAction, **details: object) -> None:
        if actor is None:
            return  # the operator's command line: see the module's docstring
        with self._services.db.transaction() as session:
            record(session, self._services.clock, actor.username, action, None, **details)
