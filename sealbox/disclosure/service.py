"""The disclosure service: what the custodians' pages and a handler's request call.

Each call opens its own transaction, checks the actor's role, and writes its audit entries and
queues its mail in that transaction (through `two_person` and `custody`), so no page or command
can do the work without its record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sealbox.accounts import roles
from sealbox.accounts.actor import StaffContext
from sealbox.accounts.roles import Role
from sealbox.disclosure import custody, two_person
from sealbox.disclosure.two_person import HandlerIdentityView, RequestView
from sealbox.disclosure.vocabulary import DisclosureState
from sealbox.reports import access
from sealbox.reports.reporter_identity import Details

if TYPE_CHECKING:  # the composition root: for annotations only, never imported here
    from sealbox.services import Services


@dataclass(frozen=True)
class DisclosureQueue:
    """The custodians' list: requests waiting, those decided, and identity keys not yet shared."""

    pending: list[RequestView]
    decided: list[RequestView]
    unshared: int


@dataclass(frozen=True)
class OpenedRequest:
    """One request with its reasons, and the identity it concerns (never the report)."""

    request: RequestView
    details: Details


class Disclosures:
    """The two-person rule over a reporter's identity, and custody of identity keys."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def queue(self, ctx: StaffContext) -> DisclosureQueue:
        """Requests for a custodian to decide, and those decided lately (newest first)."""
        roles.require(ctx.role, Role.CUSTODIAN)
        with self._services.db.transaction() as session:
            pending = two_person.queue(session, DisclosureState.PENDING)
            decided = two_person.queue(session, DisclosureState.APPROVED)
            decided += two_person.queue(session, DisclosureState.DENIED)
            unshared = custody.missing_count(session)
        decided.sort(key=lambda r: (r.decided_on, r.id), reverse=True)
        return DisclosureQueue(pending, decided, unshared)

    def share_keys(self, ctx: StaffContext) -> int:
        """Pass the identity keys the custodian holds on to custodians added after the reports
        arrived; returns how many wraps were made."""
        with self._services.db.transaction() as session:
            return custody.share(session, self._services.clock, ctx)

    def request(self, ctx: StaffContext, report_id: str, reason: str) -> str:
        """A handler of the report asks for the reporter's identity; returns the request id."""
        roles.require_report_reader(ctx.role)
        with self._services.db.transaction() as session:
            return two_person.request(session, self._services.clock, ctx, report_id, reason)

    def open_request(self, ctx: StaffContext, request_id: str) -> OpenedRequest:
        """A custodian reads a request and the identity it concerns (audited as viewed)."""
        with self._services.db.transaction() as session:
            view, details = two_person.open_request(session, self._services.clock, ctx, request_id)
        return OpenedRequest(view, details)

    def approve(self, ctx: StaffContext, request_id: str, note: str = "") -> None:
        """Approve: the identity key is wrapped to the handler who asked (`note` is optional)."""
        with self._services.db.transaction() as session:
            two_person.decide(session, self._services.clock, ctx, request_id, True, note)

    def deny(self, ctx: StaffContext, request_id: str, reason: str) -> None:
        """Deny, with a reason kept on record for the handler."""
        with self._services.db.transaction() as session:
            two_person.decide(session, self._services.clock, ctx, request_id, False, reason)

    def for_handler(self, ctx: StaffContext, report_id: str) -> HandlerIdentityView:
        """The identity section of a handler's report page; NotFound unless they handle it."""
        roles.require_report_reader(ctx.role)
        with self._services.db.transaction() as session:
            access.require_wrap(session, ctx.user_id, report_id)
            return two_person.for_handler(session, ctx, report_id)
