"""Admins edit channels: names and descriptions per language, questionnaire, handlers,
identity and metadata options, retention. Every change is audited (names of fields only)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox import audit
from sealbox.cases import channels
from sealbox.cases.channels import ChannelSettings
from sealbox.cases.staff_sessions import StaffContext
from sealbox.clock import Clock
from sealbox.store.models import Channel, User


def create(session: Session, clock: Clock, ctx: StaffContext, slug: str, name: str) -> Channel:
    channel = channels.create_channel(session, slug.strip().lower(), name)
    audit.record(session, clock, ctx.username, "channel_added", f"channel:{channel.id}", slug=slug)
    return channel


def update(
    session: Session, clock: Clock, ctx: StaffContext, channel_id: str, new: ChannelSettings
) -> None:
    channel = channels.get(session, channel_id)
    changed = channels.update(session, channel, new)
    if changed:
        audit.record(
            session, clock, ctx.username, "channel_changed", f"channel:{channel.id}", fields=changed
        )


def set_questions(
    session: Session, clock: Clock, ctx: StaffContext, channel_id: str, text: str
) -> None:
    channel = channels.get(session, channel_id)
    count = channels.set_questions(session, channel, text)
    audit.record(
        session,
        clock,
        ctx.username,
        "channel_questions_changed",
        f"channel:{channel.id}",
        questions=count,
    )


def set_handlers(
    session: Session, clock: Clock, ctx: StaffContext, channel_id: str, user_ids: set[str]
) -> None:
    channel = channels.get(session, channel_id)
    added, removed = channels.set_handlers(session, channel, user_ids)
    names = dict(session.execute(select(User.id, User.username)).all())
    if added or removed:
        audit.record(
            session,
            clock,
            ctx.username,
            "channel_handlers_changed",
            f"channel:{channel.id}",
            added=sorted(names[i] for i in added),
            removed=sorted(names[i] for i in removed),
        )


def handler_choices(session: Session) -> list[tuple[str, str, bool]]:
    """(id, username, active) of every handler account."""
    return list(
        session.execute(
            select(User.id, User.username, User.active)
            .where(User.role == "handler")
            .order_by(User.username)
        ).all()
    )
