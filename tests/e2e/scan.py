"""Searching bytes at rest for planted canaries, in the encodings a leak could take."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from pathlib import Path


def encodings(canary: str) -> dict[str, bytes]:
    """UTF-8, UTF-16 (both byte orders) and base64 at every alignment."""
    raw = canary.encode("utf-8")
    forms = {
        "utf-8": raw,
        "utf-16-le": canary.encode("utf-16-le"),
        "utf-16-be": canary.encode("utf-16-be"),
    }
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw)
        # Drop the characters that depend on the bytes before and after the canary.
        start = (offset * 4 + 2) // 3 + (1 if offset else 0)
        tail = len(encoded) - 4
        core = encoded[start:tail]
        if len(core) >= 8:
            forms[f"base64+{offset}"] = core
            forms[f"base64url+{offset}"] = core.replace(b"+", b"-").replace(b"/", b"_")
    return forms


def files_under(*roots: Path) -> Iterable[Path]:
    for root in roots:
        if root.is_file():
            yield root
        elif root.exists():
            yield from (p for p in root.rglob("*") if p.is_file())


def find(canaries: dict[str, str], blobs: dict[str, bytes]) -> list[str]:
    """Every (canary, encoding, place) where a canary shows up."""
    hits = []
    for label, canary in canaries.items():
        for form, needle in encodings(canary).items():
            for place, data in blobs.items():
                if needle in data:
                    hits.append(f"{label} as {form} in {place}")
    return hits
