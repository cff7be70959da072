"""Export bundles: a report's sealed blobs plus a manifest, opened offline with `age` or
`sealbox decrypt`. Nothing is decrypted on the server to build one."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealbox import crypto
from sealbox.cases import inbox
from sealbox.cases.errors import BadInput, DamagedData, NotFound
from sealbox.crypto import CannotOpen, Identity, Sealed
from sealbox.scrub.filenames import sanitise_filename
from sealbox.services import Services
from sealbox.store.models import Attachment, Channel, Message, Report, ReportKey

FORMAT = "sealbox-export/1"


def open_wrap(wrap: ReportKey, identity: Identity) -> Identity:
    try:
        return crypto.unwrap_identity(wrap.wrapped, identity)
    except CannotOpen as exc:
        raise DamagedData(
            "The key of this report could not be opened: the stored wrap is damaged."
        ) from exc


def report_public_key(session: Session, report_id: str) -> str:
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound("This report does not exist.")
    return report.public_key


@dataclass(frozen=True)
class BundlePlan:
    manifest: dict
    key: Sealed
    sealed_members: dict[str, Sealed]
    blob_members: dict[str, str]


def bundle_plan(session: Session, user_id: str, report_id: str) -> BundlePlan:
    """What goes in `user_id`'s export of a report: their own key wrap and every sealed part."""
    wrap = inbox.report_key(session, user_id, report_id)
    report = session.get(Report, report_id)
    channel = session.get(Channel, report.channel_id)
    sealed: dict[str, Sealed] = {}
    blobs: dict[str, str] = {}
    attachments: dict[str, list[dict]] = {}
    visible = select(Attachment).where(
        Attachment.report_id == report_id, Attachment.held.is_(False)
    )
    for row in session.scalars(visible):
        meta_name, content_name = f"files/{row.id}.meta.age", f"files/{row.id}.age"
        sealed[meta_name] = row.meta
        blobs[content_name] = row.blob_id
        attachments.setdefault(row.message_id, []).append(
            {"meta": meta_name, "content": content_name}
        )
    messages = []
    for row in session.scalars(
        select(Message).where(Message.report_id == report_id).order_by(Message.seq)
    ):
        name = f"messages/{row.seq:05d}.age"
        sealed[name] = row.body
        messages.append(
            {
                "seq": row.seq,
                "author": row.author,
                "sent_on": row.sent_on.isoformat(),
                "body": name,
                "files": attachments.get(row.id, []),
            }
        )
    manifest = {
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


def write_bundle(services: Services, plan: BundlePlan, sink: BinaryIO) -> None:
    """Write the bundle as a zip (stored, not compressed: ciphertext does not compress)."""
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("manifest.json", json.dumps(plan.manifest, indent=2))
        archive.writestr("key.age", plan.key.ciphertext)
        for name, value in plan.sealed_members.items():
            archive.writestr(name, value.ciphertext)
        for name, blob_id in plan.blob_members.items():
            with (
                services.blobs.open(blob_id) as blob,
                archive.open(name, "w", force_zip64=True) as out,
            ):
                while chunk := blob.read(1 << 20):
                    out.write(chunk)


def decrypt_bundle(
    bundle: Path,
    identity: Identity,
    out_dir: Path,
    progress: Callable[[str], None] = lambda _: None,
) -> list[Path]:
    """Open an export bundle offline: write the conversation and files under `out_dir`."""
    try:
        archive = zipfile.ZipFile(bundle)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BadInput(f"{bundle} is not a Sealbox export bundle (not a zip file).") from exc
    with archive:
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except (KeyError, ValueError) as exc:
            raise BadInput(f"{bundle} has no readable manifest.json.") from exc
        if manifest.get("format") != FORMAT:
            raise BadInput(f"{bundle} is in an unknown format {manifest.get('format')!r}.")
        try:
            report_key = crypto.unwrap_identity(Sealed(archive.read(manifest["key"])), identity)
        except CannotOpen as exc:
            raise BadInput(
                "This identity cannot open the bundle: it was exported for someone else."
            ) from exc
        out_dir.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        lines = [
            f"Report {manifest['report_id']} ({manifest['channel']}), "
            f"received {manifest['received_on']}",
            "",
        ]
        used: set[str] = set()
        for message in manifest["messages"]:
            body = json.loads(crypto.unseal(Sealed(archive.read(message["body"])), report_key))
            lines += [
                f"--- #{message['seq']} {message['author']} on {message['sent_on']}",
                body["text"],
            ]
            for item in message["files"]:
                meta = json.loads(crypto.unseal(Sealed(archive.read(item["meta"])), report_key))
                name = _unique(sanitise_filename(meta["display_name"]), used)
                progress(f"decrypting {name} ({meta['size']:,} bytes)")
                target = out_dir / "files" / name
                target.parent.mkdir(exist_ok=True)
                with archive.open(item["content"]) as source, open(target, "wb") as sink:
                    crypto.unseal_stream(source, sink, report_key)
                written.append(target)
                lines.append(f"[file: files/{name}]")
            lines.append("")
        conversation = out_dir / "conversation.txt"
        conversation.write_text("\n".join(lines), encoding="utf-8")
        written.insert(0, conversation)
        return written


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 1
    while candidate in used:
        stem, dot, ext = name.rpartition(".")
        candidate = f"{stem or ext}-{n}{dot}{ext if stem else ''}"
        n += 1
    used.add(candidate)
    return candidate
