"""Channels: where a source sends a report, and who handles it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox.cases.errors import BadInput, Conflict, UnknownChannel
from sealbox.crypto import Recipient
from sealbox.store.models import Channel, ChannelHandler, User

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class ChannelView:
    id: str
    slug: str
    name: str
    description: str


def create_channel(
    session: Session, slug: str, name: str, description: str = "", handlers: list[str] = ()
) -> Channel:
    """Add a channel; `handlers` are usernames of handler accounts."""
    if not _SLUG.match(slug):
        raise BadInput("A channel slug is lower-case letters, digits and dashes (at most 63).")
    if not name.strip():
        raise BadInput("A channel needs a name.")
    if session.scalar(select(Channel).where(Channel.slug == slug)):
        raise Conflict(f"A channel {slug!r} already exists.")
    channel = Channel(slug=slug, name=name.strip(), description=description.strip())
    session.add(channel)
    session.flush()
    for username in handlers:
        add_handler(session, channel, username)
    return channel


def add_handler(session: Session, channel: Channel, username: str) -> None:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.role != "handler":
        raise BadInput(f"{username!r} is not a handler account.")
    session.add(ChannelHandler(channel_id=channel.id, user_id=user.id))
    session.flush()


def open_channels(session: Session) -> list[ChannelView]:
    """Channels a source can send to: active, with at least one handler to read the report."""
    staffed = select(ChannelHandler.channel_id).distinct()
    rows = session.scalars(
        select(Channel).where(Channel.active, Channel.id.in_(staffed)).order_by(Channel.name)
    )
    return [ChannelView(c.id, c.slug, c.name, c.description) for c in rows]


def open_channel(session: Session, slug: str) -> ChannelView:
    for channel in open_channels(session):
        if channel.slug == slug:
            return channel
    raise UnknownChannel("This channel does not exist or does not accept reports.")


def handler_recipients(session: Session, channel_id: str) -> dict[str, Recipient]:
    """The public keys a new report of the channel is wrapped to, by user id."""
    rows = session.execute(
        select(User.id, User.public_key)
        .join(ChannelHandler, ChannelHandler.user_id == User.id)
        .where(ChannelHandler.channel_id == channel_id, User.active, User.role == "handler")
    )
    return {user_id: Recipient.parse(key) for user_id, key in rows if key}
