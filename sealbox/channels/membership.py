"""Who handles a channel. Every later report of a channel is sealed to its handlers, so once a
channel has had handlers, a new one joins only when one of them (or a custodian) approves: an
admin alone can never add a reader to a channel. Every change is audited and mailed to the
channel's handlers and the auditors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sealbox import audit, notify
from sealbox.accounts import peer_approval
from sealbox.accounts.actor import StaffContext
from sealbox.accounts.models import User
from sealbox.accounts.peer_approval import PENDING
from sealbox.accounts.roles import Role
from sealbox.audit.actions import AuditAction
from sealbox.channels import channel_settings
from sealbox.channels.models import Channel, ChannelHandler, MembershipRequest
from sealbox.clock import Clock
from sealbox.errors import BadInput, Conflict, Forbidden, NotFound
from sealbox.locale import N_

WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class RequestView:
    id: str
    channel_id: str
    channel_name: str
    user_id: str
    username: str
    requested_by: str
    requested_on: dt.date
    # The joining handler's key fingerprint once they enrolled: the approver compares it.
    fingerprint: str | None


@dataclass
class Change:
    """Usernames by what happened to them."""

    added: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.requested or self.removed or self.withdrawn)


def pending_ids(session: Session, channel_id: str) -> set[str]:
    """Users waiting to join the channel."""
    return set(
        session.scalars(
            select(MembershipRequest.user_id).where(
                MembershipRequest.channel_id == channel_id, MembershipRequest.state == PENDING
            )
        )
    )


def set_handlers(
    session: Session, clock: Clock, actor: str, channel_id: str, user_ids: Iterable[str]
) -> Change:
    """Make `user_ids` the channel's handlers, as far as `actor` (an admin) alone may.

    Removals take effect at once. Additions take effect at once only while the channel has
    never had handlers; after that each becomes a request that a handler of the channel or a
    custodian decides. Unchecking a waiting handler withdraws their request.
    """
    channel = channel_settings.get(session, channel_id)
    wanted = set(user_ids)
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted)))}
    if set(users) != wanted or any(u.role != Role.HANDLER for u in users.values()):
        raise BadInput("Only handler accounts can handle a channel.")
    current = channel_settings.handler_ids(session, channel.id)
    waiting = pending_ids(session, channel.id)
    names = dict(session.execute(select(User.id, User.username)).all())
    change = Change()
    for user_id in sorted(current - wanted, key=names.__getitem__):
        session.execute(
            delete(ChannelHandler).where(
                ChannelHandler.channel_id == channel.id, ChannelHandler.user_id == user_id
            )
        )
        change.removed.append(names[user_id])
    for user_id in sorted(waiting - wanted, key=names.__getitem__):
        _close(session, channel.id, user_id, WITHDRAWN, actor, clock)
        change.withdrawn.append(names[user_id])
    locked = channel.membership_locked or bool(current)
    for user_id in sorted(wanted - current - waiting, key=names.__getitem__):
        if locked:
            session.add(
                MembershipRequest(
                    channel_id=channel.id,
                    user_id=user_id,
                    state=PENDING,
                    requested_by=actor,
                    requested_on=clock.today(),
                )
            )
            change.requested.append(names[user_id])
        else:
            session.add(ChannelHandler(channel_id=channel.id, user_id=user_id))
            change.added.append(names[user_id])
    session.flush()
    if change.added:
        channel.membership_locked = True
    if change:
        concerned = (current | wanted | waiting) - (current & wanted)
        audit.record(
            session,
            clock,
            actor,
            AuditAction.CHANNEL_HANDLERS_CHANGED,
            f"channel:{channel.id}",
            added=change.added,
            requested=change.requested,
            removed=change.removed,
            withdrawn=change.withdrawn,
        )
        _mail(session, clock, channel, actor, change, concerned)
    return change


def start(
    session: Session, clock: Clock, actor: str, channel: Channel, usernames: list[str]
) -> Change:
    """The first handlers of a channel just made (nobody is there yet to approve anyone)."""
    ids = []
    for username in usernames:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or user.role != Role.HANDLER:
            raise BadInput("“%(name)s” is not a handler account.", name=username)
        ids.append(user.id)
    return set_handlers(session, clock, actor, channel.id, ids)


def decidable(session: Session, ctx: StaffContext) -> list[RequestView]:
    """Requests `ctx` may decide: a custodian any, a handler those of their own channels."""
    query = select(MembershipRequest).where(MembershipRequest.state == PENDING)
    if ctx.role == Role.HANDLER:
        mine = select(ChannelHandler.channel_id).where(ChannelHandler.user_id == ctx.user_id)
        query = query.where(
            MembershipRequest.channel_id.in_(mine), MembershipRequest.user_id != ctx.user_id
        )
    elif ctx.role != Role.CUSTODIAN:
        return []
    rows = session.scalars(query.order_by(MembershipRequest.requested_on, MembershipRequest.id))
    return [_view(session, row) for row in rows]


def waiting(session: Session, channel_id: str) -> list[RequestView]:
    """Handlers waiting to join one channel (for the admin's channel page)."""
    rows = session.scalars(
        select(MembershipRequest).where(
            MembershipRequest.channel_id == channel_id, MembershipRequest.state == PENDING
        )
    )
    return sorted((_view(session, row) for row in rows), key=lambda v: v.username)


def decide(
    session: Session,
    clock: Clock,
    ctx: StaffContext,
    request_id: str,
    approve: bool,
    fingerprint_compared: bool = False,
) -> RequestView:
    """A handler of the channel or a custodian lets the handler join, or refuses."""
    row = session.get(MembershipRequest, request_id)
    if row is None:
        raise NotFound("This request does not exist.")
    if row.state != PENDING:
        raise Conflict("This request has already been decided.")
    members = channel_settings.handler_ids(session, row.channel_id)
    is_member = ctx.role == Role.HANDLER and ctx.user_id in members
    if not (is_member or ctx.role == Role.CUSTODIAN) or ctx.user_id == row.user_id:
        raise Forbidden("Only a handler of this channel or a custodian can decide this.")
    user = session.get_one(User, row.user_id)
    channel = session.get_one(Channel, row.channel_id)
    fit = user.active and user.role == Role.HANDLER
    verdict = peer_approval.settle(
        session,
        clock,
        ctx,
        row,
        user,
        (approve, fingerprint_compared),
        unfit=None if fit else N_("This account is no longer an active handler account."),
        not_enrolled=N_(
            "This handler has not set up their account yet. Approve once they have logged "
            "in and can read you the key fingerprint on their account page."
        ),
        grant=lambda: session.add(ChannelHandler(channel_id=row.channel_id, user_id=user.id)),
        actions=(AuditAction.CHANNEL_HANDLER_APPROVED, AuditAction.CHANNEL_HANDLER_REFUSED),
        target=f"channel:{row.channel_id}",
        handler=user.username,
        request=row.id,
    )
    notify.membership_changed(
        session,
        clock,
        row.channel_id,
        f"{ctx.username} {verdict} {user.username} as a handler of the channel "
        f"“{channel.name}”." + (" New reports are sealed to them from now on." if approve else ""),
        also=[user.id],
    )
    return _view(session, row)


def _close(
    session: Session, channel_id: str, user_id: str, state: str, actor: str, clock: Clock
) -> None:
    for row in session.scalars(
        select(MembershipRequest).where(
            MembershipRequest.channel_id == channel_id,
            MembershipRequest.user_id == user_id,
            MembershipRequest.state == PENDING,
        )
    ):
        row.state, row.decided_by, row.decided_on = state, actor, clock.today()


def _mail(
    session: Session,
    clock: Clock,
    channel: Channel,
    actor: str,
    change: Change,
    concerned: set[str],
) -> None:
    lines = []
    if change.added:
        lines.append(f"{actor} added {', '.join(change.added)}.")
    if change.requested:
        lines.append(
            f"{actor} asks for {', '.join(change.requested)} to join. They join only when a "
            "handler of this channel or a custodian approves it in Sealbox (Approvals)."
        )
    if change.removed:
        lines.append(f"{actor} removed {', '.join(change.removed)}.")
    if change.withdrawn:
        lines.append(f"{actor} withdrew the request for {', '.join(change.withdrawn)}.")
    # When nobody is left on the channel to approve, the custodians must hear of a request.
    custodians = bool(change.requested) and not channel_settings.handler_ids(session, channel.id)
    notify.membership_changed(
        session,
        clock,
        channel.id,
        f"The handlers of the channel “{channel.name}” change:\n" + "\n".join(lines),
        custodians=custodians,
        also=concerned,
    )


def _view(session: Session, row: MembershipRequest) -> RequestView:
    user = session.get_one(User, row.user_id)
    channel = session.get_one(Channel, row.channel_id)
    return RequestView(
        id=row.id,
        channel_id=channel.id,
        channel_name=channel.name,
        user_id=user.id,
        username=user.username,
        requested_by=row.requested_by,
        requested_on=row.requested_on,
        fingerprint=peer_approval.fingerprint(user),
    )
