"""A channel's settings: where a source sends a report, in which languages, with which
questions, and who handles it; and finding the open ones a source may choose."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox.accounts.models import User
from sealbox.accounts.roles import Role
from sealbox.channels import questionnaire
from sealbox.channels.models import Channel, ChannelHandler
from sealbox.channels.questionnaire import Question
from sealbox.crypto import Recipient
from sealbox.errors import BadInput, Conflict, NotFound, UnknownChannel

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
# English is stored in Channel.name/description; the others in Channel.texts.
LANGUAGES = ("en", "zh_Hans", "zh_Hant", "ug")
MAX_RETENTION_DAYS = 36_500


@dataclass(frozen=True)
class ChannelView:
    id: str
    slug: str
    name: str
    description: str
    questions: tuple[Question, ...] = ()
    allow_identity: bool = False
    allow_keep_metadata: bool = False
    active: bool = True


@dataclass
class ChannelSettings:
    """What an admin edits on a channel's page."""

    names: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    allow_identity: bool = False
    allow_keep_metadata: bool = False
    active: bool = True
    retention_days_closed: int = 365
    retention_days_unanswered: int = 730


def texts(channel: Channel) -> dict[str, dict[str, str]]:
    """Name and description by language, English included."""
    stored: dict[str, dict[str, str]] = json.loads(channel.texts or "{}")
    stored["en"] = {"name": channel.name, "description": channel.description}
    return stored


def view(channel: Channel, lang: str = "en") -> ChannelView:
    """The channel as a source sees it in `lang` (English where no translation exists)."""
    localised = texts(channel).get(lang) or {}
    return ChannelView(
        id=channel.id,
        slug=channel.slug,
        name=localised.get("name") or channel.name,
        description=localised.get("description") or channel.description,
        questions=tuple(questionnaire.loads(channel.questions)),
        allow_identity=channel.allow_identity,
        allow_keep_metadata=channel.allow_keep_metadata,
        active=channel.active,
    )


def create_channel(session: Session, slug: str, name: str, description: str = "") -> Channel:
    """Add a channel without handlers (`membership.start` names its first ones)."""
    if not _SLUG.match(slug):
        raise BadInput("A channel slug is lower-case letters, digits and dashes (at most 63).")
    if not name.strip():
        raise BadInput("A channel needs a name.")
    if session.scalar(select(Channel).where(Channel.slug == slug)):
        raise Conflict("A channel “%(slug)s” already exists.", slug=slug)
    channel = Channel(slug=slug, name=name.strip()[:200], description=description.strip())
    session.add(channel)
    session.flush()
    return channel


def handler_ids(session: Session, channel_id: str) -> set[str]:
    return set(
        session.scalars(
            select(ChannelHandler.user_id).where(ChannelHandler.channel_id == channel_id)
        )
    )


def update(session: Session, channel: Channel, new: ChannelSettings) -> list[str]:
    """Apply an admin's edit; returns the names of the fields that changed (for the audit log)."""
    name = (new.names.get("en") or "").strip()
    if not name:
        raise BadInput("A channel needs an English name.")
    for days in (new.retention_days_closed, new.retention_days_unanswered):
        if not 1 <= days <= MAX_RETENTION_DAYS:
            raise BadInput("Retention is between 1 and %(max)s days.", max=MAX_RETENTION_DAYS)
    translations = {
        lang: {
            "name": new.names.get(lang, "").strip()[:200],
            "description": new.descriptions.get(lang, "").strip(),
        }
        for lang in LANGUAGES[1:]
        if new.names.get(lang, "").strip() or new.descriptions.get(lang, "").strip()
    }
    before = _snapshot(channel)
    channel.name = name[:200]
    channel.description = (new.descriptions.get("en") or "").strip()
    channel.texts = json.dumps(translations, ensure_ascii=False, sort_keys=True)
    channel.allow_identity = new.allow_identity
    channel.allow_keep_metadata = new.allow_keep_metadata
    channel.active = new.active
    channel.retention_days_closed = new.retention_days_closed
    channel.retention_days_unanswered = new.retention_days_unanswered
    after = _snapshot(channel)
    return sorted(key for key in after if after[key] != before[key])


def _snapshot(channel: Channel) -> dict[str, object]:
    return {
        "name": channel.name,
        "description": channel.description,
        "texts": channel.texts,
        "allow_identity": channel.allow_identity,
        "allow_keep_metadata": channel.allow_keep_metadata,
        "active": channel.active,
        "retention_days_closed": channel.retention_days_closed,
        "retention_days_unanswered": channel.retention_days_unanswered,
    }


def questions(channel: Channel) -> list[Question]:
    return questionnaire.loads(channel.questions)


def set_questions(channel: Channel, questions: list[Question]) -> int:
    """Store the questionnaire (`question_builder.check` has passed it); returns its size."""
    channel.questions = questionnaire.dumps(questions)
    return len(questions)


def get(session: Session, channel_id: str) -> Channel:
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise NotFound("This channel does not exist.")
    return channel


def all_channels(session: Session) -> list[Channel]:
    return list(session.scalars(select(Channel).order_by(Channel.name)))


def open_channels(session: Session, lang: str = "en") -> list[ChannelView]:
    """Channels a source can send to: active, with at least one handler to read the report."""
    staffed = select(ChannelHandler.channel_id).distinct()
    rows = session.scalars(
        select(Channel).where(Channel.active, Channel.id.in_(staffed)).order_by(Channel.name)
    )
    return [view(c, lang) for c in rows]


def open_channel(session: Session, slug: str, lang: str = "en") -> ChannelView:
    for channel in open_channels(session, lang):
        if channel.slug == slug:
            return channel
    raise UnknownChannel("This channel does not exist or does not accept reports.")


def handler_recipients(session: Session, channel_id: str) -> dict[str, Recipient]:
    """The public keys a new report of the channel is wrapped to, by user id."""
    rows = session.execute(
        select(User.id, User.public_key)
        .join(ChannelHandler, ChannelHandler.user_id == User.id)
        .where(ChannelHandler.channel_id == channel_id, User.active, User.role == Role.HANDLER)
    )
    return {user_id: Recipient.parse(key) for user_id, key in rows if key}
