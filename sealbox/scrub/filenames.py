"""Names shown back to sources and handlers: no path parts, no control or bidi characters."""

from __future__ import annotations

import unicodedata

MAX_LENGTH = 120
_FALLBACK = "file"
# Bidi embeddings, overrides and isolates can make "gpj.exe" read as "exe.jpg".
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}


def sanitise_filename(name: str) -> str:
    """A display-safe version of `name`: last path part only, printable, bounded, never empty."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    kept = []
    for ch in name:
        if ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            continue
        kept.append(" " if ch.isspace() else ch)
    name = " ".join("".join(kept).split()).strip(" .")
    if not name or set(name) <= {"."}:
        return _FALLBACK
    if len(name) > MAX_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_LENGTH - len(ext) - 2] + "…." + ext
        else:
            name = name[: MAX_LENGTH - 1] + "…"
    return name
