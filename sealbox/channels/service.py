"""The channels service: what the admin's channel pages, the approvals of new handlers and the
channel commands of `sealbox` call.

Each call opens its own transaction, checks who may make it, and writes its audit entries and
queues its mail in that transaction (through `channel_admin` and `membership`), so that a page
and a command make the same change with the same record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from sealbox.accounts.actor import Actor, StaffContext, require_admin
from sealbox.channels import channel_admin, channel_settings, membership, questionnaire
from sealbox.channels.channel_settings import ChannelSettings
from sealbox.channels.membership import Change, RequestView
from sealbox.channels.models import Channel

if TYPE_CHECKING:  # the composition root: for annotations only, never imported here
    from sealbox.services import Services


@dataclass(frozen=True)
class ChannelSummary:
    """A line of the admin's list of channels."""

    id: str
    slug: str
    name: str
    active: bool
    handlers: int


@dataclass(frozen=True)
class ChannelDetails:
    """What an admin edits on a channel's page (English name and description; the others in
    `ChannelPage.texts`)."""

    id: str
    slug: str
    name: str
    active: bool
    allow_identity: bool
    allow_keep_metadata: bool
    retention_days_closed: int
    retention_days_unanswered: int


@dataclass(frozen=True)
class HandlerChoice:
    id: str
    username: str
    active: bool


@dataclass(frozen=True)
class ChannelPage:
    channel: ChannelDetails
    # Name and description by language, English included.
    texts: dict[str, dict[str, str]]
    # The questionnaire as the admin edits it (see questionnaire.py).
    questions_text: str
    # Every handler account; those who handle the channel; those waiting to join it.
    handlers: list[HandlerChoice]
    assigned: set[str]
    waiting: list[RequestView]
    # Whether a new handler needs the approval of one of the channel's handlers.
    locked: bool


def _details(channel: Channel) -> ChannelDetails:
    """The row's values of the view's fields (the view outlives the transaction)."""
    return ChannelDetails(**{f.name: getattr(channel, f.name) for f in fields(ChannelDetails)})


class Channels:
    """Channels, their questions and handlers, and who may join one."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def listing(self, actor: Actor) -> list[ChannelSummary]:
        """Every channel by name, with how many handlers it has."""
        require_admin(actor)
        with self._services.db.transaction() as session:
            return [
                ChannelSummary(
                    c.id, c.slug, c.name, c.active, len(channel_settings.handler_ids(session, c.id))
                )
                for c in channel_settings.all_channels(session)
            ]

    def add(
        self,
        actor: Actor,
        slug: str,
        name: str,
        description: str = "",
        handlers: Iterable[str] = (),
    ) -> str:
        """A new channel with its first handlers (usernames, who need no approval); its id."""
        require_admin(actor)
        svc = self._services
        with svc.db.transaction() as session:
            made = channel_admin.create(
                session, svc.clock, actor.username, slug, name, description, list(handlers)
            )
            return made.id

    def page(self, actor: Actor, channel_id: str) -> ChannelPage:
        """A channel as its admin page shows it."""
        require_admin(actor)
        with self._services.db.transaction() as session:
            channel = channel_settings.get(session, channel_id)
            return ChannelPage(
                channel=_details(channel),
                texts=channel_settings.texts(channel),
                questions_text=questionnaire.to_text(questionnaire.loads(channel.questions)),
                handlers=[HandlerChoice(*row) for row in channel_admin.handler_choices(session)],
                assigned=channel_settings.handler_ids(session, channel.id),
                waiting=membership.waiting(session, channel.id),
                locked=channel.membership_locked,
            )

    def update(self, ctx: StaffContext, channel_id: str, new: ChannelSettings) -> None:
        """Names, descriptions, options and retention as the admin set them."""
        require_admin(ctx)
        with self._services.db.transaction() as session:
            channel_admin.update(session, self._services.clock, ctx, channel_id, new)

    def set_questions(self, ctx: StaffContext, channel_id: str, text: str) -> None:
        """Replace the questionnaire from the editor's text."""
        require_admin(ctx)
        with self._services.db.transaction() as session:
            channel_admin.set_questions(session, self._services.clock, ctx, channel_id, text)

    def set_handlers(self, ctx: StaffContext, channel_id: str, user_ids: set[str]) -> Change:
        """The admin's choice of handlers: removals at once, additions as the rules allow
        (once a channel has had handlers, one of them or a custodian approves each)."""
        require_admin(ctx)
        with self._services.db.transaction() as session:
            return channel_admin.set_handlers(
                session, self._services.clock, ctx, channel_id, user_ids
            )

    def decide(
        self, ctx: StaffContext, request_id: str, approve: bool, compared: bool = False
    ) -> RequestView:
        """A handler of the channel or a custodian lets a handler join (after comparing the
        key fingerprint with them), or refuses."""
        with self._services.db.transaction() as session:
            return membership.decide(
                session, self._services.clock, ctx, request_id, approve, compared
            )
