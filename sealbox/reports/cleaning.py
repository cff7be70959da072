"""Cleaning at intake: a file's metadata is removed before the file is sealed and stored.

A file whose type can be cleaned is read into memory (never to disk), cleaned in a
resource-limited worker, and only the clean copy is sealed. A file that cannot be cleaned is
sealed as it is but *held*: handlers do not see it until the source, told why, chooses to
send it anyway (or removes it).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypedDict

from sealbox.crypto import Readable
from sealbox.scrub import CleanOptions, CleanResult, Notice, Outcome, WorkerLimits, clean_isolated
from sealbox.scrub.detect import detect
from sealbox.scrub.messages import removed_content
from sealbox.scrub.model import Gettext
from sealbox.scrub.registry import supported_kinds

SNIFF_BYTES = 64 * 1024


class NoticeRecord(TypedDict):
    """One notice of a cleaning report, as sealed: a code and what its sentence needs."""

    code: str
    count: int | None
    subject: str | None


class CleaningReport(TypedDict):
    """The cleaning report sealed with a file: codes only, translated when shown."""

    outcome: str  # an Outcome's value, or "kept"
    kind: str
    removed: list[NoticeRecord]
    residual: list[NoticeRecord]
    reason: NoticeRecord | None


@dataclass(frozen=True)
class CleaningWords:
    """A cleaning report in the reader's language, for the pages."""

    outcome: str
    removed: tuple[str, ...] = ()
    removed_content: str = ""
    residual: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class Cleaned:
    """What intake seals: the bytes (or a stream, for files it does not clean) and the report."""

    stream: Readable
    report: CleaningReport
    held: bool


def _notices(items: Iterable[Notice]) -> list[NoticeRecord]:
    return [{"code": n.code, "count": n.count, "subject": n.subject} for n in items]


def report_of(result: CleanResult, kept: bool = False) -> CleaningReport:
    """The cleaning report sealed with the file's name: codes only, translated when shown."""
    return {
        "outcome": "kept" if kept else result.outcome.value,
        "kind": result.kind,
        "removed": _notices(result.removed),
        "residual": _notices(result.residual),
        "reason": None if result.reason is None else _notices([result.reason])[0],
    }


def describe(report: CleaningReport | None, gettext: Gettext) -> CleaningWords:
    """Sentences for a stored cleaning report, in the reader's language."""
    if not report:
        return CleaningWords(outcome="unknown")

    def text(item: NoticeRecord) -> str:
        return Notice(item["code"], item.get("count"), item.get("subject")).text(gettext)

    removed = report.get("removed", [])
    content = [(item["code"], item.get("count")) for item in removed]
    reason = report.get("reason")
    return CleaningWords(
        outcome=report["outcome"],
        removed=tuple(text(item) for item in removed),
        removed_content=removed_content(report.get("kind") or "", content, gettext),
        residual=tuple(text(item) for item in report.get("residual", [])),
        reason=text(reason) if reason else "",
    )


class _Prefixed:
    """A reader that yields `head` and then the rest of `tail`."""

    def __init__(self, head: bytes, tail: Readable) -> None:
        self._head = io.BytesIO(head)
        self._tail = tail

    def read(self, n: int = -1) -> bytes:
        chunk = self._head.read(n)
        return chunk if chunk else self._tail.read(n)


def _read_up_to(reader: Readable, limit: int) -> Iterator[bytes]:
    total = 0
    while total <= limit:
        chunk = reader.read(1 << 16)
        if not chunk:
            return
        total += len(chunk)
        yield chunk


def clean_upload(
    reader: Readable, max_bytes: int, keep_metadata: bool, limits: WorkerLimits
) -> Cleaned:
    """Decide how one upload is stored. Reads at most `max_bytes` into memory."""
    head = b""
    while len(head) < SNIFF_BYTES:
        chunk = reader.read(SNIFF_BYTES - len(head))
        if not chunk:
            break
        head += chunk
    if not head:
        # An empty file holds nothing to remove; no worker is needed to say so.
        result = CleanResult(Outcome.NOTHING_TO_REMOVE, "application/x-empty", b"")
        return Cleaned(io.BytesIO(b""), report_of(result), held=False)
    kind = detect(head, deep=False)
    if keep_metadata:
        result = CleanResult(Outcome.NOTHING_TO_REMOVE, kind, None)
        return Cleaned(_Prefixed(head, reader), report_of(result, kept=True), held=False)
    cleanable = kind in supported_kinds() or kind == "application/zip"
    if not cleanable:
        reason = Notice("unsupported", subject=kind)
        result = CleanResult(Outcome.CANNOT_CLEAN, kind, None, reason=reason)
        return Cleaned(_Prefixed(head, reader), report_of(result), held=True)
    # Joined once: a file near the limit must not be held in memory twice over.
    body = b"".join([head, *_read_up_to(reader, max_bytes - len(head))])
    if len(body) > max_bytes:
        result = CleanResult(Outcome.CANNOT_CLEAN, kind, None, reason=Notice("too_large"))
        return Cleaned(_Prefixed(body, reader), report_of(result), held=True)
    result = clean_isolated(body, CleanOptions(), limits)
    if result.outcome is Outcome.CANNOT_CLEAN or result.data is None:
        return Cleaned(io.BytesIO(body), report_of(result), held=True)
    del body
    return Cleaned(io.BytesIO(result.data), report_of(result), held=False)
