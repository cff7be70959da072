"""Display names for uploaded files: no path parts, no control or direction-override characters."""

from __future__ import annotations

import unicodedata

MAX_LENGTH = 120


def sanitise_filename(name: str) -> str:
    """A safe name to show; the original is kept only sealed with the file."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Cc/Cf cover control characters and bidi overrides such as U+202E.
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co"))
    name = name.strip().strip(".").strip()
    if len(name) > MAX_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_LENGTH - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_LENGTH]
    return name or "file"
