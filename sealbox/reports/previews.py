"""Looking at an attachment without opening it: its pages drawn to PNG in the isolated worker.

The file is decrypted in memory for the one request, handed to the worker (`scrub`), and only
the drawn pages come back; nothing is written or cached. Access is a download's: the caller's
own wrap of the report key opens the file, and each look is on the audit record.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from sealbox import crypto, scrub
from sealbox.crypto import CannotOpen, Identity
from sealbox.errors import BadInput, DamagedData, NotFound, SealboxError, TooLarge
from sealbox.locale import N_
from sealbox.reports.dialog import FileMeta
from sealbox.scrub import PreviewRequest, PreviewResult
from sealbox.scrub.preview import MAX_PAGES, previewable

__all__ = ["MAX_PAGES", "CannotPreview", "PreviewInfo", "draw", "previewable"]
from sealbox.settings import Settings
from sealbox.store.blobs import BlobMissing, Blobs


class CannotPreview(SealboxError):
    """The file cannot be drawn; the download still works."""

    code = "cannot_preview"


REFUSALS: dict[str, tuple[type[SealboxError], str]] = {
    "unsupported": (
        CannotPreview,
        N_(
            "This kind of file has no preview. Download it and open it with care.",
        ),
    ),
    "too_large": (
        TooLarge,
        N_(
            "This image is too large to draw safely (it may be built to exhaust memory when "
            "opened). It was not drawn. Download it only if you must, and open it with care.",
        ),
    ),
    "unreadable": (
        CannotPreview,
        N_(
            "This file could not be drawn: it is damaged or built to trip up programs that open "
            "it. Download it only if you must, and open it with care.",
        ),
    ),
    "timeout": (
        CannotPreview,
        N_(
            "Drawing this file took too long, so it was stopped. Download it only if you must, "
            "and open it with care.",
        ),
    ),
    "memory": (
        CannotPreview,
        N_(
            "Drawing this file needed too much memory, so it was stopped. Download it only if "
            "you must, and open it with care.",
        ),
    ),
    "no_page": (NotFound, N_("This file has no such page in its preview.")),
}


@dataclass(frozen=True)
class PreviewInfo:
    """What the preview page shows about the file: its name, type and drawable pages."""

    file_id: str
    display_name: str
    kind: str
    pages: int
    total: int
    cleaned: bool  # False: the source sent it as it was, uncleaned


def draw(
    blobs: Blobs,
    settings: Settings,
    blob_id: str,
    meta: FileMeta,
    key: Identity,
    page: int,
) -> PreviewResult:
    """Decrypt the file in memory and have the worker draw `page` (0: count the pages)."""
    if not previewable(meta.get("type", "")):
        raise _refusal("unsupported")
    if meta.get("size", 0) > settings.scrub_max_bytes:
        raise CannotPreview(
            "This file is too large for a preview (over %(max)s MB). Download it instead.",
            max=settings.scrub_max_bytes // 1_000_000,
        )
    if not 0 <= page <= MAX_PAGES:
        raise BadInput("A preview shows pages 1 to %(max)s.", max=MAX_PAGES)
    plain = io.BytesIO()
    try:
        with blobs.open(blob_id) as blob:
            crypto.unseal_stream(blob, plain, key)
    except (CannotOpen, BlobMissing) as exc:
        raise DamagedData("This file could not be decrypted: the stored data is damaged.") from exc
    result = scrub.preview_isolated(plain.getvalue(), PreviewRequest(page), settings.scrub_limits)
    plain.close()
    if result.refusal is not None:
        raise _refusal(result.refusal)
    return result


def _refusal(code: str) -> SealboxError:
    kind, message = REFUSALS.get(code, REFUSALS["unreadable"])
    return kind(message)
