"""The sources service: everything the source pages do, one call each.

A source has no account: they send a report through an open channel's form, get a passphrase
once, and come back with it to a session that holds their report's key (`Resumed`, the
source's side of the actor). Forms arrive as parts (`receiving.FormPart`), which the web parses
as the body streams in; each call fills the caller's `fields` with what was typed, so that a
refused form comes back with it. Nothing here keeps a time finer than the day, nor the
passphrase.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sealbox.channels import answers, channel_settings
from sealbox.channels.channel_settings import ChannelView
from sealbox.crypto import passphrase
from sealbox.errors import storage_refusals
from sealbox.reports import dialog, intake, reporter_identity
from sealbox.reports.dialog import Conversation, FileView
from sealbox.reports.vocabulary import Author
from sealbox.sources import (
    form_steps,
    receipts,
    receiving,
    source_access,
    source_files,
    source_sessions,
)
from sealbox.sources import submission_tokens as tokens
from sealbox.sources.receiving import FormPart
from sealbox.sources.source_sessions import Resumed
from sealbox.sources.throttle import LoginBudget

if TYPE_CHECKING:  # the composition root: for annotations only, never imported here
    from sealbox.services import Services

SUBMIT = "submit"
FOLLOW_UP = "follow-up"


@dataclass(frozen=True)
class Sent:
    """What the passphrase page shows, once: the passphrase (in words and as digits), whether
    the report waits in quarantine, and what cleaning did to each file."""

    report_id: str | None
    words: tuple[str, ...]
    digits: tuple[str, ...]
    quarantined: bool
    files: tuple[FileView, ...]
    # Too many files to carry to the page after the redirect: the report page lists them.
    files_left_out: bool = False


@dataclass(frozen=True)
class SourceReport:
    """The source's own report page: the conversation, held files included, and a fresh
    single-use token for the follow-up form."""

    conversation: Conversation
    follow_up_token: str


class Sources:
    """A source's side: channels' forms, reports and follow-ups, passphrase sessions, files."""

    def __init__(self, services: Services) -> None:
        self._services = services

    # Channels and their forms -------------------------------------------------------------

    def open_channels(self, lang: str) -> list[ChannelView]:
        """Channels a source can send to, named in `lang` where they have a translation."""
        with self._services.db.transaction() as session:
            return channel_settings.open_channels(session, lang)

    def channel(self, slug: str, lang: str) -> ChannelView:
        """The open channel `slug`; UnknownChannel otherwise. Tried twice on a lost database
        connection, then DatabaseUnavailable (StorageFull for a full disk)."""
        with storage_refusals():
            return self._services.db.read(
                lambda session: channel_settings.open_channel(session, slug, lang)
            )

    def form_page(
        self, channel: ChannelView, fields: dict[str, str], step: int, lang: str
    ) -> form_steps.FormPage:
        """Step `step` of `channel`'s form with the answers given so far (one step when no
        question depends on another)."""
        return form_steps.page(channel, fields, step, lang)

    def next_step(
        self, channel: ChannelView, fields: dict[str, str], current: int, forward: bool
    ) -> int:
        """The step after `current` once its answers pass (QuestionnaireInvalid otherwise), or
        the one before it; nothing is stored."""
        return form_steps.step(channel, fields, current, forward)

    def submission_token(self) -> str:
        """A fresh single-use token for a channel's submit form."""
        return tokens.issue(self._services, SUBMIT)

    def follow_up_token(self, binding: str) -> str:
        """A fresh single-use token for the follow-up form of the session `binding`."""
        return tokens.issue(self._services, FOLLOW_UP, binding)

    def binding(self, cookie: str | None) -> str:
        """What a session's forms are bound to: the same for the whole session."""
        return source_sessions.binding(cookie)

    # Sending ------------------------------------------------------------------------------

    def submit(
        self, channel: ChannelView, parts: Iterator[FormPart], fields: dict[str, str]
    ) -> Sent:
        """Receive a new report through `channel`'s form and commit it; the passphrase is in
        the answer and nowhere else. On any refusal the files already sealed are deleted,
        nothing is stored, and `fields` holds what was typed."""
        services = self._services
        draft = intake.Draft.for_new_report(services)
        try:
            receiving.receive(
                services, parts, draft, fields, SUBMIT, "", channel.allow_keep_metadata
            )
            given = answers.check(channel.questions, fields)
            reporter = reporter_identity.from_fields(fields, channel.allow_identity)
            text = fields.get("text", "")
            words = intake.submit(services, draft, channel.slug, text, given, reporter)
        except BaseException:
            draft.discard()
            raise
        return Sent(
            report_id=draft.report_id,
            words=tuple(words.split()),
            digits=tuple(passphrase.to_digits(words)),
            quarantined=draft.quarantined,
            files=tuple(_file_view(received) for received in draft.files),
        )

    def receipt(self, sent: Sent) -> str:
        """The sealed cookie that carries `sent` to the passphrase page after the redirect
        (POST-redirect-GET: a reload never sends the report again)."""
        receipt = receipts.Receipt(sent.report_id or "", sent.words, sent.quarantined, sent.files)
        return receipts.seal(self._services, receipt)

    def open_receipt(self, cookie: str | None) -> Sent:
        """What the passphrase page shows, from its cookie, once: ReceiptGone the second time
        (or for a receipt too old or not of this instance)."""
        receipt = receipts.open_once(self._services, cookie)
        return Sent(
            report_id=receipt.report_id,
            words=receipt.words,
            digits=tuple(passphrase.to_digits(" ".join(receipt.words))),
            quarantined=receipt.quarantined,
            files=receipt.files,
            files_left_out=receipt.files_left_out,
        )

    def follow_up(
        self, resumed: Resumed, parts: Iterator[FormPart], fields: dict[str, str]
    ) -> None:
        """Receive a follow-up message (and files) from the source of `resumed`."""
        services, source = self._services, resumed.source
        draft = intake.Draft.for_report(services, source.public_key)
        binding = source_sessions.binding(resumed.cookie)
        try:
            receiving.receive(services, parts, draft, fields, FOLLOW_UP, binding)
            text = fields.get("text", "")
            intake.follow_up(services, draft, source.report_id, Author.SOURCE, None, text)
        except BaseException:
            draft.discard()
            raise

    def read_back_submission(self, parts: Iterator[FormPart], fields: dict[str, str]) -> None:
        """Read a submit form that cannot be stored into `fields`: its token is only checked
        (another site's form is refused: Forbidden) and files are dropped."""
        receiving.receive(self._services, parts, None, fields, SUBMIT, "")

    def read_back_follow_up(
        self, binding: str, parts: Iterator[FormPart], fields: dict[str, str]
    ) -> None:
        """`read_back_submission` for the follow-up form of the session `binding`."""
        receiving.receive(self._services, parts, None, fields, FOLLOW_UP, binding)

    # Coming back --------------------------------------------------------------------------

    def log_in(self, entered: str, budget: LoginBudget) -> str:
        """Open a report by passphrase and start a session; returns the cookie's value.

        Right or wrong, the cost is one Argon2id run; nothing is written for a failed login.
        """
        source = source_access.log_in(self._services, entered, budget)
        return source_sessions.start(self._services, source)

    def resume(self, cookie: str | None) -> Resumed:
        """The session of a request carrying `cookie`, its idle clock restarted; SessionExpired
        when ended, unknown or forged; StorageFull or DatabaseUnavailable when it cannot be
        checked (a page that gives typed text back does so then)."""
        with storage_refusals():
            return source_sessions.resume(self._services, cookie)

    def report(self, resumed: Resumed, lang: str) -> SourceReport:
        """The source's conversation (staff stay unnamed), with the files awaiting their say."""
        source = resumed.source
        with self._services.db.transaction() as session:
            conversation = dialog.conversation(
                session,
                source.report_id,
                source.identity,
                show_staff_names=False,
                include_held=True,
                lang=lang,
            )
        token = self.follow_up_token(source_sessions.binding(resumed.cookie))
        return SourceReport(conversation, token)

    def decide_held_file(self, report_id: str, file_id: str, send: bool) -> None:
        """Send a file that could not be cleaned as it is, or remove it (the caller checked the
        token that the page showing the file gave out)."""
        source_files.decide(self._services, report_id, file_id, send=send)

    def rename_file(self, resumed: Resumed, file_id: str, name: str) -> str:
        """Give one of the source's files another display name (sanitised); returns it."""
        source = resumed.source
        return source_files.rename(self._services, source.report_id, file_id, source.identity, name)

    def log_out(self, cookie: str | None) -> None:
        """End the session: the server's half is deleted and the deletion made unrecoverable."""
        source_sessions.end(self._services, cookie)

    def end_expired_sessions(self) -> int:
        """End the sessions past their hour (the sessions job), and make every ended one
        unrecoverable, logouts included; returns how many ended now."""
        return source_sessions.sweep_expired(self._services)


def _file_view(received: intake.ReceivedFile) -> FileView:
    return FileView(
        received.id,
        received.display_name,
        received.cleaning.get("kind", ""),
        received.size,
        cleaning=received.cleaning,
        held=received.held,
    )
