"""Opening an export bundle on a handler's own computer (`sealbox decrypt`).

This is the one place that writes a source's plaintext to disk, on purpose: the handler asked
for it, offline, with their own key. The server never imports this module.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

from sealbox import crypto
from sealbox.crypto import CannotOpen, CryptoError, Identity, InvalidKey, Sealed
from sealbox.errors import BadInput
from sealbox.reports.dialog import FileMeta, MessageBody
from sealbox.reports.export import FORMATS, BundleMessage, Manifest
from sealbox.scrub.filenames import sanitise_filename


def decrypt_bundle(
    bundle: Path,
    identity_file: Path,
    out_dir: Path,
    progress: Callable[[str], None] = lambda _: None,
) -> list[Path]:
    """Open an export bundle offline with the age identity in `identity_file`: write the
    conversation and files under `out_dir`. Every refusal is a BadInput (a wrong or damaged
    key or bundle), so the command that calls this never handles a key itself."""
    identity = _read_identity(identity_file)
    try:
        return _decrypt(bundle, identity, out_dir, progress)
    except CryptoError as exc:
        raise BadInput(
            "%(path)s is damaged: a part of it cannot be opened, so it was not written.",
            path=str(bundle),
        ) from exc


def _read_identity(path: Path) -> Identity:
    try:
        return Identity.parse(path.read_text(encoding="utf-8", errors="replace"))
    except InvalidKey as exc:
        raise BadInput(
            "%(path)s is not an age identity file (one AGE-SECRET-KEY-1… line).", path=str(path)
        ) from exc


def _decrypt(
    bundle: Path, identity: Identity, out_dir: Path, progress: Callable[[str], None]
) -> list[Path]:
    try:
        archive = zipfile.ZipFile(bundle)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BadInput(
            "%(path)s is not a Sealbox export bundle (not a zip file).", path=str(bundle)
        ) from exc
    with archive:
        try:
            manifest: Manifest = json.loads(archive.read("manifest.json"))
        except (KeyError, ValueError) as exc:
            raise BadInput("%(path)s has no readable manifest.json.", path=str(bundle)) from exc
        if manifest.get("format") not in FORMATS:
            raise BadInput(
                "%(path)s is in an unknown format “%(format)s”.",
                path=str(bundle),
                format=str(manifest.get("format")),
            )
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
        for seq, message in _in_order(archive, manifest["messages"], report_key):
            body: MessageBody = json.loads(
                crypto.unseal(Sealed(archive.read(message["body"])), report_key)
            )
            lines += [
                f"--- #{seq} {message['author']} on {message['sent_on']}",
                body["text"],
            ]
            for item in message["files"]:
                meta: FileMeta = json.loads(
                    crypto.unseal(Sealed(archive.read(item["meta"])), report_key)
                )
                name = _unique(sanitise_filename(meta["display_name"]), used)
                progress(f"decrypting {name} ({meta['size']:,} bytes)")
                target = out_dir / "files" / name
                target.parent.mkdir(exist_ok=True)
                try:
                    with archive.open(item["content"]) as source, open(target, "wb") as sink:
                        crypto.unseal_stream(source, sink, report_key)
                except CannotOpen:
                    # A damaged member must not leave a truncated file that looks whole.
                    target.unlink(missing_ok=True)
                    raise
                written.append(target)
                lines.append(f"[file: files/{name}]")
            lines.append("")
        conversation = out_dir / "conversation.txt"
        conversation.write_text("\n".join(lines), encoding="utf-8")
        written.insert(0, conversation)
        return written


def _in_order(
    archive: zipfile.ZipFile, messages: list[BundleMessage], report_key: Identity
) -> list[tuple[int, BundleMessage]]:
    """The messages in conversation order: each one's place is sealed (format 2) or given."""
    placed = [
        (
            int(crypto.unseal(Sealed(archive.read(m["place"])), report_key))
            if "place" in m
            else m["seq"],
            m,
        )
        for m in messages
    ]
    return sorted(placed, key=lambda pair: pair[0])


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 1
    while candidate in used:
        stem, dot, ext = name.rpartition(".")
        candidate = f"{stem or ext}-{n}{dot}{ext if stem else ''}"
        n += 1
    used.add(candidate)
    return candidate
