"""Presentations (pptx): hidden slides and speaker notes go, as Office's Document Inspector
removes them; both are content the audience never sees but a copy still carries."""

from __future__ import annotations

import re

from sealbox.scrub import xmlparts
from sealbox.scrub.model import Finding

_SLIDE = re.compile(r"ppt/slides/slide\d+\.xml")
_NOTES = re.compile(r"ppt/notesSlides/notesSlide\d+\.xml")


def hide(parts: dict[str, bytes], kind: str, found: list[Finding]) -> set[str]:
    """Parts to drop: hidden slides and every notes page (counted when it holds text)."""
    dropped = set()
    hidden = notes = 0
    for name, data in parts.items():
        if _SLIDE.fullmatch(name):
            if xmlparts.parse(data, kind).get("show") in ("0", "false"):
                dropped.add(name)
                hidden += 1
        elif _NOTES.fullmatch(name):
            dropped.add(name)
            root = xmlparts.parse(data, kind)
            # The slide's own number and picture sit on every notes page; only typed text counts.
            if any((t.text or "").strip() for t in root.iter("{*}t")):
                notes += 1
    if hidden:
        found.append(Finding("hidden_slides", hidden))
    if notes:
        found.append(Finding("speaker_notes", notes))
    return dropped
