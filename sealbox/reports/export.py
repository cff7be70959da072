"""Export bundles: a report's sealed blobs plus a manifest, opened offline with `age` or
`sealbox decrypt`. Nothing is decrypted on the server to build one."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from typing import BinaryIO, NotRequired, TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox.channels.models import Channel
from sealbox.crypto import Sealed
from sealbox.errors import NotFound
from sealbox.reports import access
from sealbox.reports.models import Attachment, Message, Report
from sealbox.store.blobs import Blobs

FORMAT = "sealbox-export/2"
# Version 1 gave each message's place in clear ("seq"); bundles made by it still open.
FORMATS = ("sealbox-export/1", FORMAT)


def report_public_key(session: Session, report_id: str) -> str:
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound("This report does not exist.")
    return report.public_key


class BundleFile(TypedDict):
    meta: str  # the member holding the file's sealed metadata
    content: str  # the member holding its sealed content


class BundleMessage(TypedDict):
    place: NotRequired[str]  # the member holding its sealed place (format 2)
    seq: NotRequired[int]  # its place, in clear (format 1)
    author: str
    sent_on: str
    body: str
    files: list[BundleFile]


class Manifest(TypedDict):
    """`manifest.json` of a bundle: what a reader needs to find and open each member."""

    format: str
    report_id: str
    channel: str
    received_on: str
    status: str
    key: str
    report_public_key: str
    messages: list[BundleMessage]
    how_to_open: str


@dataclass(frozen=True)
class BundlePlan:
    manifest: Manifest
    key: Sealed
    sealed_members: dict[str, Sealed]
    blob_members: dict[str, str]


def bundle_plan(session: Session, user_id: str, report_id: str) -> BundlePlan:
    """What goes in `user_id`'s export of a report: their own key wrap and every sealed part."""
    wrap = access.require_wrap(session, user_id, report_id)
    report = session.get_one(Report, report_id)
    channel = session.get(Channel, report.channel_id)
    sealed: dict[str, Sealed] = {}
    blobs: dict[str, str] = {}
    attachments: dict[str, list[BundleFile]] = {}
    visible = select(Attachment).where(
        Attachment.report_id == report_id, Attachment.held.is_(False)
    )
    for file in session.scalars(visible):
        meta_name, content_name = f"files/{file.id}.meta.age", f"files/{file.id}.age"
        sealed[meta_name] = file.meta
        blobs[content_name] = file.blob_id
        attachments.setdefault(file.message_id, []).append(
            {"meta": meta_name, "content": content_name}
        )
    messages: list[BundleMessage] = []
    # Listed by id: the order of the conversation is sealed (`place`), opened by the reader.
    for row in session.scalars(
        select(Message).where(Message.report_id == report_id).order_by(Message.id)
    ):
        name, place = f"messages/{row.id}.age", f"order/{row.id}.age"
        sealed[name], sealed[place] = row.body, row.place
        messages.append(
            {
                "place": place,
                "author": row.author,
                "sent_on": row.sent_on.isoformat(),
                "body": name,
                "files": attachments.get(row.id, []),
            }
        )
    manifest: Manifest = {
        "format": FORMAT,
        "report_id": report.id,
        "channel": channel.name if channel else "",
        "received_on": report.received_on.isoformat(),
        "status": report.status,
        "key": "key.age",
        "report_public_key": report.public_key,
        "messages": messages,
        "how_to_open": (
            "age -d -i YOUR_IDENTITY key.age > report.key; then age -d -i report.key on any "
            "other .age member. Or: sealbox decrypt THIS.zip -i YOUR_IDENTITY"
        ),
    }
    return BundlePlan(
        manifest=manifest, key=wrap.wrapped, sealed_members=sealed, blob_members=blobs
    )


@dataclass(frozen=True)
class Bundle:
    """An export ready to be written: every member sealed, so it may go anywhere."""

    report_id: str
    plan: BundlePlan = field(repr=False)
    blobs: Blobs = field(repr=False)

    @property
    def filename(self) -> str:
        return f"report-{self.report_id[:8]}.sealbox.zip"

    def write(self, sink: BinaryIO) -> None:
        write_bundle(self.blobs, self.plan, sink)


def write_bundle(blobs: Blobs, plan: BundlePlan, sink: BinaryIO) -> None:
    """Write the bundle as a zip (stored, not compressed: ciphertext does not compress)."""
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("manifest.json", json.dumps(plan.manifest, indent=2))
        archive.writestr("key.age", plan.key.ciphertext)
        for name, value in plan.sealed_members.items():
            archive.writestr(name, value.ciphertext)
        for name, blob_id in plan.blob_members.items():
            with (
                blobs.open(blob_id) as blob,
                archive.open(name, "w", force_zip64=True) as out,
            ):
                while chunk := blob.read(1 << 20):
                    out.write(chunk)
