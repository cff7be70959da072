"""What cleaning reports: outcomes, findings, notices and the result of one file."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from sealbox.scrub.messages import describe, removed_content

Gettext = Callable[[str], str]


def _identity(message: str) -> str:
    return message


class Outcome(enum.StrEnum):
    """What happened to one file."""

    CLEANED = "cleaned"
    NOTHING_TO_REMOVE = "nothing_to_remove"
    CANNOT_CLEAN = "cannot_clean"


@dataclass(frozen=True)
class Notice:
    """A stable code plus what the sentence needs: a count or a (sanitised) name."""

    code: str
    count: int | None = None
    subject: str | None = None

    def text(self, gettext: Gettext = _identity) -> str:
        """The plain-words English sentence, passed through `gettext` for translation."""
        return describe(self.code, self.count, self.subject, gettext)

    def to_json(self) -> dict:
        out: dict = {"code": self.code, "text": self.text()}
        if self.count is not None:
            out["count"] = self.count
        if self.subject is not None:
            out["subject"] = self.subject
        return out


@dataclass(frozen=True)
class Finding(Notice):
    """One kind of identifying metadata that was found (and, after cleaning, removed)."""


@dataclass(frozen=True)
class CleanOptions:
    """Choices a source (or the channel) makes about cleaning."""

    strict_images: bool = False
    keep_form_values: bool = False
    max_pixels: int = 250_000_000
    max_depth: int = 4
    max_members: int = 5_000
    max_expanded_bytes: int = 512 * 1024 * 1024
    max_ratio: int = 200


@dataclass(frozen=True)
class CleanResult:
    """The outcome for one file: the clean copy (if any) and what was removed or remains."""

    outcome: Outcome
    kind: str
    data: bytes | None = field(repr=False)
    removed: tuple[Finding, ...] = ()
    residual: tuple[Notice, ...] = ()
    reason: Notice | None = None

    def summary(self, gettext: Gettext = _identity) -> str:
        """One line for people: what was removed, or why the file cannot be cleaned."""
        if self.outcome is Outcome.CANNOT_CLEAN:
            assert self.reason is not None
            return self.reason.text(gettext)
        if not self.removed:
            return gettext("Nothing to remove.")
        items = "; ".join(f.text(gettext) for f in self.removed)
        return gettext("Removed: {items}").format(items=items)

    def removed_content(self, gettext: Gettext = _identity) -> str:
        """What of the visible content went (comments, notes, hidden sheets...), or ''."""
        return removed_content(self.kind, [(f.code, f.count) for f in self.removed], gettext)

    def to_json(self) -> dict:
        """A JSON-ready dict for the CLI and the API (never the bytes themselves)."""
        return {
            "outcome": self.outcome.value,
            "kind": self.kind,
            "size": None if self.data is None else len(self.data),
            "summary": self.summary(),
            "removed_content": self.removed_content(),
            "removed": [f.to_json() for f in self.removed],
            "residual": [n.to_json() for n in self.residual],
            "reason": None if self.reason is None else self.reason.to_json(),
        }


def merge_findings(findings: list[Finding] | tuple[Finding, ...]) -> tuple[Finding, ...]:
    """Fold findings with the same code into one, adding their counts, keeping first-seen order."""
    merged: dict[tuple[str, str | None], Finding] = {}
    for f in findings:
        key = (f.code, f.subject)
        old = merged.get(key)
        if old is None or (old.count is None and f.count is not None):
            merged[key] = f
        elif old.count is not None and f.count is not None:
            merged[key] = Finding(f.code, old.count + f.count, f.subject)
    return tuple(merged.values())
