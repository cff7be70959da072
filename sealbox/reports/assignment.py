"""Re-assignment: who holds a report's key. Adding a handler wraps the report key once more;
removing one deletes their wrap. The sealed messages and files are never re-encrypted."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from sealbox import audit, crypto
from sealbox.accounts.actor import StaffContext
from sealbox.accounts.models import User
from sealbox.accounts.roles import Role
from sealbox.audit.actions import AuditAction
from sealbox.clock import Clock
from sealbox.crypto import Recipient
from sealbox.disclosure.models import DisclosureRequest
from sealbox.errors import BadInput, Forbidden
from sealbox.reports import access
from sealbox.reports.models import IdentityKey, NoteKey, ReadMark, ReportKey


@dataclass(frozen=True)
class Holder:
    user_id: str
    username: str
    offline: bool


def holders(session: Session, report_id: str) -> list[Holder]:
    rows = session.execute(
        select(User.id, User.username, User.wrapped_private_key.is_(None))
        .join(ReportKey, ReportKey.user_id == User.id)
        .where(ReportKey.report_id == report_id)
        .order_by(User.username)
    )
    return [Holder(user_id, username, bool(offline)) for user_id, username, offline in rows]


def candidates(session: Session, report_id: str) -> list[Holder]:
    """Active handlers with a key (their holder enrolled) who do not hold the report key yet."""
    holding = select(ReportKey.user_id).where(ReportKey.report_id == report_id)
    rows = session.execute(
        select(User.id, User.username, User.wrapped_private_key.is_(None))
        .where(
            User.role == Role.HANDLER,
            User.active,
            User.public_key.is_not(None),
            User.id.not_in(holding),
        )
        .order_by(User.username)
    )
    return [Holder(user_id, username, bool(offline)) for user_id, username, offline in rows]


def add_handler(
    session: Session, clock: Clock, ctx: StaffContext, report_id: str, user_id: str
) -> None:
    """Wrap the report key to another handler, opening it with the acting handler's key."""
    access.require_wrap(session, ctx.user_id, report_id)
    if ctx.identity is None:
        raise Forbidden(
            "Your key is kept offline, so this server cannot pass the report key on for you. "
            "Ask a handler whose key is held on the server."
        )
    user = session.get(User, user_id)
    if user is None or user.role != Role.HANDLER or not user.active or not user.public_key:
        raise BadInput("Reports can only be given to an active handler account.")
    if session.get(ReportKey, (report_id, user_id)) is not None:
        raise BadInput("%(name)s already handles this report.", name=user.username)
    report_identity = access.open_report_key(session, ctx, report_id)
    recipient = Recipient.parse(user.public_key)
    session.add(
        ReportKey(
            report_id=report_id,
            user_id=user_id,
            wrapped=crypto.wrap_identity(report_identity, recipient),
        )
    )
    notes_key = access.open_notes_key(session, report_id, ctx.user_id, ctx.identity)
    if notes_key is not None:
        session.add(
            NoteKey(
                report_id=report_id,
                user_id=user_id,
                wrapped=crypto.wrap_identity(notes_key, recipient),
            )
        )
    audit.record(
        session,
        clock,
        ctx.username,
        AuditAction.REPORT_HANDLER_ADDED,
        f"report:{report_id}",
        handler=user.username,
    )


def remove_handler(
    session: Session, clock: Clock, ctx: StaffContext, report_id: str, user_id: str
) -> None:
    """Delete a handler's wraps (report key and any disclosed identity): access ends at once."""
    access.require_wrap(session, ctx.user_id, report_id)
    if session.get(ReportKey, (report_id, user_id)) is None:
        raise BadInput("This person does not handle this report.")
    count = session.execute(
        select(func.count()).select_from(ReportKey).where(ReportKey.report_id == report_id)
    ).scalar_one()
    if count <= 1:
        raise BadInput("A report needs at least one handler; add another one first.")
    for model in (ReportKey, IdentityKey, NoteKey, ReadMark):
        session.execute(delete(model).where(model.report_id == report_id, model.user_id == user_id))
    # A request of someone who no longer handles the report must not be approved later.
    session.execute(
        update(DisclosureRequest)
        .where(
            DisclosureRequest.report_id == report_id,
            DisclosureRequest.handler_id == user_id,
            DisclosureRequest.state == "pending",
        )
        .values(state="withdrawn")
    )
    user = session.get(User, user_id)
    audit.record(
        session,
        clock,
        ctx.username,
        AuditAction.REPORT_HANDLER_REMOVED,
        f"report:{report_id}",
        handler=user.username if user else user_id,
    )
