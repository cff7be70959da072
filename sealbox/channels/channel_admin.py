"""Admins edit channels: names and descriptions per language, questionnaire, handlers,
identity and metadata options, retention. Every change is audited (names of fields only);
who may join a channel is decided in `channels/membership.py`."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox import audit, notify
from sealbox.accounts.actor import StaffContext
from sealbox.accounts.models import User
from sealbox.accounts.roles import Role
from sealbox.audit.actions import AuditAction
from sealbox.channels import channel_settings, membership
from sealbox.channels.channel_settings import ChannelSettings
from sealbox.channels.models import Channel
from sealbox.channels.questionnaire import Question
from sealbox.clock import Clock


def create(
    session: Session,
    clock: Clock,
    actor: str,
    slug: str,
    name: str,
    description: str = "",
    handlers: Sequence[str] = (),
) -> Channel:
    """A new channel; `handlers` (usernames) are its first handlers, who need no approval."""
    channel = channel_settings.create_channel(session, slug.strip().lower(), name, description)
    audit.record(
        session, clock, actor, AuditAction.CHANNEL_ADDED, f"channel:{channel.id}", slug=slug
    )
    notify.channel_changed(
        session,
        clock,
        channel.id,
        "Sealbox: a channel was added",
        f"{actor} added the channel “{channel.name}” (/submit/{channel.slug}).",
    )
    if handlers:
        membership.start(session, clock, actor, channel, list(handlers))
    return channel


def update(
    session: Session, clock: Clock, ctx: StaffContext, channel_id: str, new: ChannelSettings
) -> None:
    channel = channel_settings.get(session, channel_id)
    changed = channel_settings.update(session, channel, new)
    if changed:
        audit.record(
            session,
            clock,
            ctx.username,
            AuditAction.CHANNEL_CHANGED,
            f"channel:{channel.id}",
            fields=changed,
        )
    if "active" in changed or "name" in changed:
        # Closing a channel (and opening a look-alike) would steer sources away from its
        # handlers: they and the auditors hear of it.
        state = "open for reports" if channel.active else "closed to new reports"
        notify.channel_changed(
            session,
            clock,
            channel.id,
            "Sealbox: a channel changed",
            f"{ctx.username} changed the channel “{channel.name}”: it is now {state}.",
        )


def edit_questions(
    session: Session,
    clock: Clock,
    ctx: StaffContext,
    channel_id: str,
    edit: Callable[[list[Question]], list[Question]],
    change: str,
) -> list[Question]:
    """Apply one builder `edit` to the channel's questionnaire; the audit entry names the kind
    of `change` and the size, never a label."""
    channel = channel_settings.get(session, channel_id)
    before = channel_settings.questions(channel)
    after = edit(before)
    count = channel_settings.set_questions(channel, after)
    audit.record(
        session,
        clock,
        ctx.username,
        AuditAction.CHANNEL_QUESTIONS_CHANGED,
        f"channel:{channel.id}",
        change=change,
        questions=count,
    )
    return after


def set_handlers(
    session: Session, clock: Clock, ctx: StaffContext, channel_id: str, user_ids: set[str]
) -> membership.Change:
    """The admin's choice of handlers: removals at once, additions as the rules allow."""
    return membership.set_handlers(session, clock, ctx.username, channel_id, user_ids)


def handler_choices(session: Session) -> list[tuple[str, str, bool]]:
    """(id, username, active) of every handler account."""
    return list(
        session.execute(
            select(User.id, User.username, User.active)
            .where(User.role == Role.HANDLER)
            .order_by(User.username)
        ).all()
    )
