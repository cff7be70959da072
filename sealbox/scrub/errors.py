"""The one exception cleaners raise: the file cannot be cleaned, and why."""

from __future__ import annotations

from sealbox.scrub.model import Notice


class CannotClean(Exception):
    """Raised by a cleaner when a file cannot be cleaned; carries the reason for the person."""

    def __init__(self, code: str, subject: str | None = None, count: int | None = None):
        self.reason = Notice(code, count, subject)
        super().__init__(self.reason.text())


def damaged(kind: str) -> CannotClean:
    """The file does not parse as the type it claims to be."""
    return CannotClean("damaged", kind)
