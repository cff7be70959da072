"""The channels service: what the admin's channel pages, the approvals of new handlers and the
channel commands of `sealbox` call.

Each call opens its own transaction, checks who may make it, and writes its audit entries and
queues its mail in that transaction (through `channel_admin` and `membership`), so that a page
and a command make the same change with the same record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from sealbox.accounts.actor import Actor, StaffContext, require_admin
from sealbox.channels import channel_admin, channel_settings, membership, question_builder
from sealbox.channels.channel_settings import ChannelSettings
from sealbox.channels.membership import Change, RequestView
from sealbox.channels.models import Channel
from sealbox.channels.question_builder import QuestionEdit
from sealbox.channels.questionnaire import Question

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
    # How many questions its questionnaire has (they are edited on their own page).
    question_count: int
    # Every handler account; those who handle the channel; those waiting to join it.
    handlers: list[HandlerChoice]
    assigned: set[str]
    waiting: list[RequestView]
    # Whether a new handler needs the approval of one of the channel's handlers.
    locked: bool


@dataclass(frozen=True)
class QuestionnairePage:
    channel: ChannelDetails
    questions: tuple[Question, ...]


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
                question_count=len(channel_settings.questions(channel)),
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

    def questionnaire(self, actor: Actor, channel_id: str) -> QuestionnairePage:
        """A channel's questionnaire as its builder page shows it."""
        require_admin(actor)
        with self._services.db.transaction() as session:
            channel = channel_settings.get(session, channel_id)
            return QuestionnairePage(_details(channel), tuple(channel_settings.questions(channel)))

    def add_question(self, ctx: StaffContext, channel_id: str, kind: str, label: str) -> str:
        """A new question of `kind` at the end of the questionnaire; its key."""
        made: list[str] = []

        def edit(before: list[Question]) -> list[Question]:
            after = question_builder.add(before, kind, label, channel_settings.LANGUAGES)
            made.append(question_builder.new_key(before, after))
            return after

        self._edit(ctx, channel_id, edit, "added")
        return made[0]

    def save_question(
        self, ctx: StaffContext, channel_id: str, key: str, new: QuestionEdit
    ) -> None:
        """Labels, choices, whether required and when asked, as the question's form sets them."""
        self._edit(ctx, channel_id, lambda qs: question_builder.save(qs, key, new), "changed")

    def move_question(self, ctx: StaffContext, channel_id: str, key: str, step: int) -> None:
        """One place up (-1) or down (+1)."""
        self._edit(ctx, channel_id, lambda qs: question_builder.move(qs, key, step), "moved")

    def delete_question(self, ctx: StaffContext, channel_id: str, key: str) -> None:
        self._edit(ctx, channel_id, lambda qs: question_builder.delete(qs, key), "deleted")

    def _edit(
        self,
        ctx: StaffContext,
        channel_id: str,
        edit: Callable[[list[Question]], list[Question]],
        change: str,
    ) -> None:
        require_admin(ctx)
        with self._services.db.transaction() as session:
            channel_admin.edit_questions(
                session, self._services.clock, ctx, channel_id, edit, change
            )

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
