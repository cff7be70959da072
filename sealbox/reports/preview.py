"""The inbox row's preview: the first line of what the source wrote, trimmed, sealed at intake
to the report's notes key (the one that opens the title). Only its handlers open it, and only
in memory for the page."""

from __future__ import annotations

from sealbox import crypto
from sealbox.channels.answers import Answer, shown
from sealbox.crypto import Recipient, Sealed

MAX_CHARS = 120


def first_line(text: str, answers: list[Answer] | None = None) -> str:
    """The first non-blank line of the text (else of the first answer), at most MAX_CHARS."""
    for candidate in (text, *(value for _, value in shown(answers, "en"))):
        for line in str(candidate).splitlines():
            line = " ".join(line.split())
            if line:
                return line if len(line) <= MAX_CHARS else line[: MAX_CHARS - 1] + "…"
    return ""


def seal_preview(text: str, answers: list[Answer] | None, recipient: Recipient) -> Sealed:
    return crypto.seal(first_line(text, answers).encode(), recipient)
