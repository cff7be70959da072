"""Identity disclosure with two people: a handler asks with a reason, a custodian approves
(the identity key is then wrapped to that handler) or denies with a reason. Every step is
in the audit log; the reasons are sealed to the identity key and to the requesting handler."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox import audit, crypto, notify
from sealbox.accounts import roles
from sealbox.accounts.actor import StaffContext
from sealbox.accounts.models import User
from sealbox.accounts.roles import Role
from sealbox.audit.actions import AuditAction
from sealbox.channels.models import Channel
from sealbox.clock import Clock
from sealbox.crypto import Identity, Recipient, Sealed
from sealbox.disclosure.models import DisclosureRequest
from sealbox.disclosure.vocabulary import DisclosureState
from sealbox.errors import BadInput, Conflict, Forbidden, NotFound
from sealbox.reports import access, reporter_identity
from sealbox.reports.models import IdentityKey, Report, ReportKey
from sealbox.reports.reporter_identity import Details

MIN_REASON = 20
MAX_REASON = 5_000


@dataclass(frozen=True)
class RequestView:
    id: str
    report_id: str
    channel_name: str
    handler: str
    state: str
    requested_on: dt.date
    decided_on: dt.date | None
    reason: str | None = None
    decision_reason: str | None = None
    decided_by: str | None = None


@dataclass(frozen=True)
class HandlerIdentityView:
    """What a handler's report page shows about the reporter's identity."""

    given: bool
    disclosed: Details | None
    requests: tuple[RequestView, ...]

    @property
    def may_request(self) -> bool:
        return (
            self.given
            and self.disclosed is None
            and not any(r.state == DisclosureState.PENDING for r in self.requests)
        )


def _seal_reason(text: str, report: Report, handler: User | None) -> Sealed:
    """Seal a reason to the report's identity key and to the handler who asked (if they still
    have an account with a key)."""
    assert report.identity_public_key is not None  # requests exist for given identities only
    recipients = [Recipient.parse(report.identity_public_key)]
    if handler is not None and handler.public_key:
        recipients.append(Recipient.parse(handler.public_key))
    return crypto.seal(text.encode("utf-8"), *recipients)


def _reason(text: str, denial: bool = False) -> str:
    text = text.strip()
    if len(text) < MIN_REASON:
        if denial:
            raise BadInput(
                "Write a reason for the denial of at least %(min)s characters: it is kept on "
                "record.",
                min=MIN_REASON,
            )
        raise BadInput(
            "Write a reason of at least %(min)s characters: it is kept on record.",
            min=MIN_REASON,
        )
    if len(text) > MAX_REASON:
        if denial:
            raise BadInput(
                "A reason for the denial has at most %(max)s characters.", max=MAX_REASON
            )
        raise BadInput("A reason has at most %(max)s characters.", max=MAX_REASON)
    return text


def request(session: Session, clock: Clock, ctx: StaffContext, report_id: str, reason: str) -> str:
    """A handler of the report asks for the reporter's identity; returns the request id."""
    access.require_wrap(session, ctx.user_id, report_id)
    report = session.get_one(Report, report_id)
    if report.identity_public_key is None:
        raise BadInput("The source gave no identity details with this report.")
    if session.get(IdentityKey, (report_id, ctx.user_id)) is not None:
        raise Conflict("The identity has already been disclosed to you.")
    pending = session.scalar(
        select(DisclosureRequest.id).where(
            DisclosureRequest.report_id == report_id,
            DisclosureRequest.handler_id == ctx.user_id,
            DisclosureRequest.state == DisclosureState.PENDING,
        )
    )
    if pending:
        raise Conflict("You already have a request waiting for a custodian.")
    handler = session.get_one(User, ctx.user_id)
    row = DisclosureRequest(
        report_id=report_id,
        handler_id=ctx.user_id,
        state=DisclosureState.PENDING,
        reason=_seal_reason(_reason(reason), report, handler),
        requested_on=clock.today(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        clock,
        ctx.username,
        AuditAction.DISCLOSURE_REQUESTED,
        f"report:{report_id}",
        request=row.id,
    )
    notify.disclosure_requested(session, clock)
    return row.id


def _custodian_key(session: Session, ctx: StaffContext, report_id: str) -> Identity:
    # A handler holding a disclosed identity key must not decide anyone's request.
    roles.require(ctx.role, Role.CUSTODIAN)
    if ctx.identity is None:
        raise Forbidden("Your key is kept offline; this server cannot open identities for you.")
    try:
        return access.open_identity_key(session, report_id, ctx.user_id, ctx.identity)
    except Forbidden as exc:
        raise Forbidden(
            "You hold no key to this reporter's identity (it was given before your account "
            "existed). Another custodian can decide."
        ) from exc


def _get(session: Session, request_id: str) -> DisclosureRequest:
    row = session.get(DisclosureRequest, request_id)
    if row is None:
        raise NotFound("This disclosure request does not exist.")
    return row


def _view(session: Session, row: DisclosureRequest, key: Identity | None) -> RequestView:
    report = session.get_one(Report, row.report_id)
    channel = session.get_one(Channel, report.channel_id)
    names = dict(
        session.execute(
            select(User.id, User.username).where(User.id.in_([row.handler_id, row.decided_by]))
        ).all()
    )

    def open_text(sealed: Sealed | None) -> str | None:
        if sealed is None or key is None:
            return None
        return crypto.unseal(sealed, key).decode("utf-8")

    return RequestView(
        id=row.id,
        report_id=row.report_id,
        channel_name=channel.name,
        handler=names.get(row.handler_id, "?"),
        state=row.state,
        requested_on=row.requested_on,
        decided_on=row.decided_on,
        reason=open_text(row.reason),
        decision_reason=open_text(row.decision_reason),
        decided_by=names.get(row.decided_by) if row.decided_by else None,
    )


def queue(session: Session, state: DisclosureState = DisclosureState.PENDING) -> list[RequestView]:
    """Requests for the custodians' list (reasons stay sealed until one is opened)."""
    rows = session.scalars(
        select(DisclosureRequest)
        .where(DisclosureRequest.state == state)
        .order_by(DisclosureRequest.requested_on, DisclosureRequest.id)
        .limit(200)
    )
    return [_view(session, row, None) for row in rows]


def open_request(
    session: Session, clock: Clock, ctx: StaffContext, request_id: str
) -> tuple[RequestView, Details]:
    """A custodian reads a request with the identity it concerns (not the report)."""
    row = _get(session, request_id)
    key = _custodian_key(session, ctx, row.report_id)
    audit.record(
        session,
        clock,
        ctx.username,
        AuditAction.IDENTITY_VIEWED,
        f"report:{row.report_id}",
        request=row.id,
    )
    return _view(session, row, key), reporter_identity.read(session, row.report_id, key)


def decide(
    session: Session,
    clock: Clock,
    ctx: StaffContext,
    request_id: str,
    approve: bool,
    reason: str = "",
) -> None:
    """Approve (wrap the identity key to the handler) or deny (a reason is required)."""
    row = _get(session, request_id)
    if row.state != DisclosureState.PENDING:
        raise Conflict("This request has already been decided.")
    key = _custodian_key(session, ctx, row.report_id)
    report = session.get_one(Report, row.report_id)
    handler = session.get(User, row.handler_id)
    text = reason.strip() if approve else _reason(reason, denial=True)
    if approve:
        if handler is None or not handler.active or not handler.public_key:
            raise Conflict("The handler who asked no longer has an active account.")
        if session.get(ReportKey, (row.report_id, handler.id)) is None:
            raise Conflict("The handler who asked no longer handles this report.")
        if session.get(IdentityKey, (row.report_id, handler.id)) is None:
            wrapped = crypto.wrap_identity(key, Recipient.parse(handler.public_key))
            session.add(IdentityKey(report_id=row.report_id, user_id=handler.id, wrapped=wrapped))
        report.identity_disclosed_on = report.identity_disclosed_on or clock.today()
    row.state = DisclosureState.APPROVED if approve else DisclosureState.DENIED
    row.decided_by = ctx.user_id
    row.decided_on = clock.today()
    if text:
        row.decision_reason = _seal_reason(text[:MAX_REASON], report, handler)
    audit.record(
        session,
        clock,
        ctx.username,
        AuditAction.DISCLOSURE_APPROVED if approve else AuditAction.DISCLOSURE_DENIED,
        f"report:{row.report_id}",
        request=row.id,
        handler=handler.username if handler else None,
    )
    notify.disclosure_decided(session, clock, row.handler_id, approve)


def for_handler(session: Session, ctx: StaffContext, report_id: str) -> HandlerIdentityView:
    """The identity section of a handler's report page."""
    report = session.get_one(Report, report_id)
    if report.identity_public_key is None:
        return HandlerIdentityView(False, None, ())
    disclosed = None
    if ctx.identity is not None and session.get(IdentityKey, (report_id, ctx.user_id)) is not None:
        key = access.open_identity_key(session, report_id, ctx.user_id, ctx.identity)
        disclosed = reporter_identity.read(session, report_id, key)
    rows = session.scalars(
        select(DisclosureRequest)
        .where(
            DisclosureRequest.report_id == report_id,
            DisclosureRequest.handler_id == ctx.user_id,
        )
        .order_by(DisclosureRequest.requested_on, DisclosureRequest.id)
    )
    views = []
    for row in rows:
        view = _view(session, row, None)
        if ctx.identity is not None:
            # The handler's own key opens the reasons (they were sealed to it as well).
            view = _view_with_own_key(row, view, ctx.identity)
        views.append(view)
    return HandlerIdentityView(True, disclosed, tuple(views))


def _view_with_own_key(row: DisclosureRequest, view: RequestView, own: Identity) -> RequestView:
    def open_text(sealed: Sealed | None) -> str | None:
        if sealed is None:
            return None
        try:
            return crypto.unseal(sealed, own).decode("utf-8")
        except crypto.CannotOpen:
            return None

    return replace(
        view, reason=open_text(row.reason), decision_reason=open_text(row.decision_reason)
    )
