"""Reading a report's conversation, for whoever holds its key (a handler or the source)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import NotRequired, TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox import crypto
from sealbox.accounts.models import User
from sealbox.channels import answers, channel_settings
from sealbox.channels.models import Channel
from sealbox.crypto import CannotOpen, Identity, Sealed
from sealbox.errors import DamagedData, NotFound
from sealbox.reports.cleaning import CleaningReport
from sealbox.reports.models import Attachment, Message, Report
from sealbox.reports.vocabulary import Author


@dataclass(frozen=True)
class FileView:
    id: str
    display_name: str
    content_type: str
    size: int
    # The cleaning report sealed with the file (codes; `cleaning.describe` turns it into words).
    cleaning: CleaningReport | None = None
    held: bool = False


@dataclass(frozen=True)
class MessageView:
    seq: int
    author: Author
    author_name: str | None
    sent_on: dt.date
    text: str
    files: tuple[FileView, ...]
    # Questionnaire answers as (question, answer) in the page's language, in the order asked.
    answers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Conversation:
    report_id: str
    channel_name: str
    received_on: dt.date
    status: str
    acknowledged_on: dt.date | None
    messages: tuple[MessageView, ...]
    outcome: str | None = None
    # Set when a custodian let a handler see the identity the source gave (the source is told).
    identity_disclosed_on: dt.date | None = None


class FileMeta(TypedDict):
    """What is sealed beside a file's content (`Attachment.meta`)."""

    name: str  # as the source's browser sent it
    display_name: str  # sanitised, or as the source renamed it
    type: NotRequired[str]
    declared_type: NotRequired[str]
    size: int
    cleaning: NotRequired[CleaningReport | None]


class MessageBody(TypedDict):
    """A sealed message (`Message.body`): its text and any questionnaire answers."""

    text: str
    answers: NotRequired[dict[str, str] | None]


class NoteBody(TypedDict):
    """A sealed internal note (`Note.body`)."""

    text: str


def _opened(sealed: Sealed, identity: Identity) -> bytes:
    try:
        return crypto.unseal(sealed, identity)
    except CannotOpen as exc:
        raise DamagedData(
            "Part of this report could not be decrypted: the stored data is damaged."
        ) from exc


def open_file_meta(sealed: Sealed, identity: Identity) -> FileMeta:
    """A file's sealed metadata, opened in memory."""
    meta: FileMeta = json.loads(_opened(sealed, identity))
    return meta


def open_body(sealed: Sealed, identity: Identity) -> MessageBody:
    """A message's sealed body, opened in memory."""
    body: MessageBody = json.loads(_opened(sealed, identity))
    return body


def open_note(sealed: Sealed, identity: Identity) -> NoteBody:
    """An internal note, opened in memory."""
    note: NoteBody = json.loads(_opened(sealed, identity))
    return note


def place_of(sealed: Sealed, identity: Identity) -> int:
    """A message's place in its conversation, which only the report key opens."""
    try:
        return int(crypto.unseal(sealed, identity))
    except (CannotOpen, ValueError) as exc:
        raise DamagedData(
            "Part of this report could not be decrypted: the stored data is damaged."
        ) from exc


def ordered_messages(
    session: Session, report_id: str, identity: Identity
) -> list[tuple[int, Message]]:
    """(place, row) of each message of the report, in conversation order."""
    rows = session.scalars(select(Message).where(Message.report_id == report_id))
    return sorted(((place_of(row.place, identity), row) for row in rows), key=lambda p: p[0])


def file_meta(
    session: Session, report_id: str, file_id: str, identity: Identity
) -> tuple[str, FileMeta]:
    """(blob id, opened metadata) of one attachment of `report_id`."""
    row = session.get(Attachment, file_id)
    if row is None or row.report_id != report_id or row.held:
        raise NotFound("This file does not exist.")
    return row.blob_id, open_file_meta(row.meta, identity)


def conversation(
    session: Session,
    report_id: str,
    identity: Identity,
    show_staff_names: bool,
    include_held: bool = False,
    lang: str = "en",
) -> Conversation:
    """Decrypt a report's messages and file names in memory.

    Held files (not cleaned, awaiting the source's choice) appear only with `include_held`,
    which only the source's own view passes.
    """
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound("This report does not exist.")
    channel = session.get(Channel, report.channel_id)
    files: dict[str, list[FileView]] = {}
    for attachment in session.scalars(select(Attachment).where(Attachment.report_id == report_id)):
        if attachment.held and not include_held:
            continue
        meta = open_file_meta(attachment.meta, identity)
        files.setdefault(attachment.message_id, []).append(
            FileView(
                attachment.id,
                meta["display_name"],
                meta.get("type", ""),
                meta["size"],
                cleaning=meta.get("cleaning"),
                held=attachment.held,
            )
        )
    # Only the authors of this report's replies, not every account on the instance.
    authors = select(Message.staff_id).where(Message.report_id == report_id)
    names = (
        dict(session.execute(select(User.id, User.username).where(User.id.in_(authors))).all())
        if show_staff_names
        else {}
    )
    shown = channel_settings.view(channel, lang) if channel else None
    messages = []
    for seq, row in ordered_messages(session, report_id, identity):
        body = open_body(row.body, identity)
        messages.append(
            MessageView(
                seq=seq,
                author=Author(row.author),
                author_name=names.get(row.staff_id) if row.staff_id else None,
                sent_on=row.sent_on,
                text=body.get("text", ""),
                files=tuple(sorted(files.get(row.id, []), key=lambda f: f.display_name)),
                answers=tuple(answers.shown(body.get("answers"), lang)),
            )
        )
    return Conversation(
        report_id=report.id,
        channel_name=shown.name if shown else "",
        received_on=report.received_on,
        status=report.status,
        acknowledged_on=report.acknowledged_on,
        messages=tuple(messages),
        outcome=report.outcome,
        identity_disclosed_on=report.identity_disclosed_on,
    )
