"""Receiving what a source sends: files are sealed as they stream in, then committed atomically."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from sealbox import crypto
from sealbox.channels import channel_settings
from sealbox.channels.answers import Answer
from sealbox.crypto import Identity, Readable, Recipient, Sealed, passphrase
from sealbox.errors import EmptyReport, OutcomeUnknown, TooLarge, UnknownChannel, storage_refusals
from sealbox.recovery import wraps as recovery_wraps
from sealbox.reports import ceilings, cleaning, deadlines, notes, preview, reporter_identity
from sealbox.reports.dialog import FileMeta
from sealbox.reports.models import Attachment, Message, Report, ReportKey, SourceAccess
from sealbox.reports.vocabulary import Author, ReportStatus
from sealbox.scrub.filenames import sanitise_filename
from sealbox.store.base import new_id

if TYPE_CHECKING:
    from sealbox.services import Services


@dataclass(frozen=True)
class ReceivedFile:
    blob_id: str
    meta: Sealed
    display_name: str
    size: int
    cleaning: cleaning.CleaningReport
    held: bool  # not cleaned: hidden from handlers until the source decides
    id: str = field(default_factory=new_id)


class _Counted:
    """Counts the bytes that are actually sealed (the clean copy's size)."""

    def __init__(self, inner: Readable) -> None:
        self.inner = inner
        self.count = 0

    def read(self, n: int = -1) -> bytes:
        chunk = self.inner.read(n)
        self.count += len(chunk)
        return chunk


class _Limited:
    """Reads through to `inner`, counting bytes against the submission's budget."""

    def __init__(self, inner: Readable, draft: Draft) -> None:
        self.inner = inner
        self.draft = draft
        self.count = 0

        self.failure: BaseException | None = None

    def read(self, n: int = -1) -> bytes:
        # The cipher library wraps exceptions raised here in its own; keep ours to re-raise.
        try:
            chunk = self.inner.read(n)
            self.count += len(chunk)
            self.draft.received += len(chunk)
            if self.draft.received > self.draft.limit:
                raise TooLarge(
                    "The files are larger than this site accepts in one go (%(mib)s MB). "
                    "Send fewer or smaller files, then add the rest as a follow-up.",
                    mib=self.draft.limit // (1024 * 1024),
                )
        except BaseException as exc:
            self.failure = exc
            raise
        return chunk


@dataclass
class Draft:
    """A submission in progress. Its blobs are sealed to `recipient` before any byte is stored.

    For a new report the report key exists only in this object until `submit` wraps it, so
    blobs left behind by a killed process can never be opened by anyone.
    """

    services: Services
    recipient: Recipient
    identity: Identity | None = None
    files: list[ReceivedFile] = field(default_factory=list)
    received: int = 0
    report_id: str | None = None  # set once `submit` has created the report
    let_go: bool = False  # the files are committed, or may be: never deleted by `discard`
    # Set by `submit` when the report came past an hourly ceiling and waits in quarantine.
    quarantined: bool = False

    @property
    def limit(self) -> int:
        return self.services.settings.max_submission_bytes

    @classmethod
    def for_new_report(cls, services: Services) -> Draft:
        identity = Identity.generate()
        return cls(services=services, recipient=identity.recipient, identity=identity)

    @classmethod
    def for_report(cls, services: Services, public_key: str) -> Draft:
        return cls(services=services, recipient=Recipient.parse(public_key))

    def add_file(
        self, reader: Readable, filename: str, content_type: str, keep_metadata: bool = False
    ) -> ReceivedFile | None:
        """Clean one uploaded file and seal it into the blob store. Empty parts are skipped.

        `keep_metadata` is the source's explicit, per-file choice where the channel allows it.
        """
        settings = self.services.settings
        counted = _Limited(reader, self)
        try:
            cleaned = cleaning.clean_upload(
                counted, settings.scrub_max_bytes, keep_metadata, settings.scrub_limits
            )
            stored = _Counted(cleaned.stream)
            with storage_refusals():
                blob_id = self.services.blobs.put(crypto.seal_stream(stored, self.recipient))
        except Exception:
            if counted.failure is not None:
                raise counted.failure from None
            raise
        if counted.count == 0 and not filename:
            self.services.blobs.delete(blob_id)
            return None
        name = sanitise_filename(filename)
        meta: FileMeta = {
            "name": filename,
            "display_name": name,
            "type": cleaned.report["kind"],
            "declared_type": content_type,
            "size": stored.count,
            "cleaning": cleaned.report,
        }
        received = ReceivedFile(
            blob_id=blob_id,
            meta=crypto.seal(json.dumps(meta).encode(), self.recipient),
            display_name=name,
            size=stored.count,
            cleaning=cleaned.report,
            held=cleaned.held,
        )
        self.files.append(received)
        return received

    def add_text(self, size: int) -> None:
        self.received += size
        if self.received > self.limit:
            raise TooLarge("The report is larger than this site accepts in one go.")

    def discard(self) -> None:
        """Delete every blob this draft wrote (on any failure before commit)."""
        if self.let_go:
            return  # rows may name them (see `let_go_of_files`)
        for received in self.files:
            self.services.blobs.delete(received.blob_id)
        self.files.clear()

    def let_go_of_files(self) -> None:
        """The rows naming the draft's blobs are in, or may be: they are no longer in flight.
        A sweep of orphans (in any process sharing the store) skips a blob only while it is
        held, and deletes it once no row names it."""
        self.let_go = True
        self.services.blobs.release([received.blob_id for received in self.files])


def seal_place(seq: int, recipient: Recipient) -> Sealed:
    """A message's place in its conversation (0, 1, ...), readable only with the report key."""
    return crypto.seal(str(seq).encode(), recipient)


def seal_body(text: str, recipient: Recipient, answers: list[Answer] | None = None) -> Sealed:
    """A message's body; `answers` as `channels/answers.py::check` gives them."""
    return crypto.seal(json.dumps({"text": text, "answers": answers or []}).encode(), recipient)


def submit(
    services: Services,
    draft: Draft,
    channel_slug: str,
    text: str,
    answers: list[Answer] | None = None,
    reporter: reporter_identity.Details | None = None,
) -> str:
    """Commit a new report with its files; returns the passphrase (shown once, never stored).

    `answers` (the questionnaire) are sealed with the text; `reporter` (identity details) is
    sealed to a separate key that only custodians hold.
    """
    text = text.strip()
    if not text and not draft.files and not answers:
        raise EmptyReport("The report is empty. Write what happened, attach a file, or both.")
    if len(text) > services.settings.max_message_chars:
        raise TooLarge("The text is too long for one message. Attach it as a file instead.")
    report_key = draft.identity
    assert report_key is not None, "a new report's draft carries its key"
    words = passphrase.generate()
    # Derived from the phrase as a login will see it ("t-shirt" is typed back as "t shirt").
    keys = services.kdf.source_keys(passphrase.normalise(words), services.secrets.source_salt)
    today = services.clock.today()

    def store(session: Session) -> None:
        channel = channel_settings.open_channel(session, channel_slug)
        handlers = channel_settings.handler_recipients(session, channel.id)
        if not handlers:
            raise UnknownChannel("This channel has nobody to read reports right now.")
        # Counted in the database, so the ceilings hold across every serving process.
        draft.quarantined = ceilings.count(
            session, services.clock, services.settings, channel.id, draft.received
        )
        report = Report(
            channel_id=channel.id,
            public_key=str(draft.recipient),
            received_on=today,
            status=ReportStatus.NEW,
            source_seq=1,
            message_count=1,
            due_on=deadlines.initial_due(today),
            quarantined=draft.quarantined,
            activity_on=today,
        )
        session.add(report)
        session.flush()
        draft.report_id = report.id
        for user_id, recipient in handlers.items():
            wrapped = crypto.wrap_identity(report_key, recipient)
            session.add(ReportKey(report_id=report.id, user_id=user_id, wrapped=wrapped))
        recovery_wraps.wrap(session, report.id, "report", report_key)
        session.flush()
        # To the notes key (handlers only), so that one key opens a row's preview and title.
        report.preview = preview.seal_preview(text, answers, notes.notes_recipient(session, report))
        session.add(
            SourceAccess(
                lookup_id=keys.lookup_id,
                report_id=report.id,
                wrapped=crypto.wrap_identity(report_key, keys.identity.recipient),
            )
        )
        if reporter is not None:
            reporter_identity.seal(session, report, reporter)
        _add_message(session, report, Author.SOURCE, None, text, draft, today, answers)
        # No mail is queued here: the mail job counts each past day's reports (notify).

    # Tried again on a fresh connection if the database connection is lost before the commit;
    # lost during it, the report's row says whether it is in (the passphrase page then shows).
    _commit(draft, lambda: services.db.run(store, landed=lambda s: s.get(Report, draft.report_id)))
    return words


def follow_up(
    services: Services,
    draft: Draft,
    report_id: str,
    author: Author,
    staff_id: str | None,
    text: str,
    also: Callable[[Session], None] | None = None,
) -> None:
    """Append a message (with the draft's files) to an existing report.

    `also` runs in the same transaction (a staff reply's audit entry and deadline update).
    """
    text = text.strip()
    if not text and not draft.files:
        raise EmptyReport("The message is empty. Write something or attach a file.")
    if len(text) > services.settings.max_message_chars:
        raise TooLarge("The text is too long for one message. Attach it as a file instead.")
    message_id = new_id()

    def store(session: Session) -> None:
        report = session.get(Report, report_id, with_for_update=True)
        if report is None or report.public_key != str(draft.recipient):
            raise UnknownChannel("This report no longer exists.")
        report.message_count += 1
        if author == Author.SOURCE:
            report.source_seq += 1
        _add_message(
            session, report, author, staff_id, text, draft, services.clock.today(), None, message_id
        )
        if also is not None:
            also(session)

    _commit(draft, lambda: services.db.run(store, landed=lambda s: s.get(Message, message_id)))


def _commit(draft: Draft, run: Callable[[], object]) -> None:
    """Run the draft's transaction; its blobs are let go once it is in (or may be in)."""
    try:
        with storage_refusals():
            run()
    except OutcomeUnknown:
        draft.let_go_of_files()  # rows may name them; the sweep takes them if none does
        raise
    draft.let_go_of_files()


def _add_message(
    session: Session,
    report: Report,
    author: Author,
    staff_id: str | None,
    text: str,
    draft: Draft,
    today: dt.date,
    answers: list[Answer] | None = None,
    message_id: str | None = None,
) -> None:
    report.activity_on = today
    message = Message(
        id=message_id or new_id(),
        report_id=report.id,
        # Sealed like the body: in clear it would order the source's turns among the staff's.
        place=seal_place(report.message_count - 1, draft.recipient),
        author=author,
        staff_id=staff_id,
        sent_on=today,
        body=seal_body(text, draft.recipient, answers),
    )
    session.add(message)
    session.flush()
    for received in draft.files:
        session.add(
            Attachment(
                id=received.id,
                report_id=report.id,
                message_id=message.id,
                blob_id=received.blob_id,
                meta=received.meta,
                held=received.held,
            )
        )
    session.flush()
