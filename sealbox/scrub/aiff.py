"""AIFF and AIFF-C: a new FORM holding only the format and the samples, byte for byte.

Kept: COMM (format), SSND (samples) and FVER (the AIFF-C version). Dropped: NAME, AUTH, (c),
ANNO and COMT texts, ID3 tags, markers, instrument and MIDI data, application chunks and
anything else.
"""

from __future__ import annotations

import struct

from sealbox.scrub.cleaner import Cleaned, Context
from sealbox.scrub.errors import damaged
from sealbox.scrub.model import Finding, Notice

KIND = "audio/aiff"
_KEEP = (b"COMM", b"SSND", b"FVER")
_TEXT = (b"NAME", b"AUTH", b"(c) ", b"ANNO", b"COMT", b"ID3 ", b"id3 ")
RESIDUAL = (Notice("av_content"),)


def _chunks(data: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    if data[:4] != b"FORM" or data[8:12] not in (b"AIFF", b"AIFC") or len(data) < 12:
        raise damaged(KIND)
    end = min(len(data), 8 + struct.unpack_from(">I", data, 4)[0])
    pos, out = 12, []
    while pos + 8 <= end:
        kind, size = struct.unpack_from(">4sI", data, pos)
        if pos + 8 + size > len(data):
            raise damaged(KIND)
        out.append((kind, data[pos + 8 : pos + 8 + size]))
        pos += 8 + size + (size & 1)
    kinds = [k for k, _ in out]
    if kinds.count(b"COMM") != 1 or kinds.count(b"SSND") > 1:
        raise damaged(KIND)
    return data[8:12], out


def _findings(chunks: list[tuple[bytes, bytes]]) -> list[Finding]:
    texts = sum(1 for kind, _ in chunks if kind in _TEXT)
    other = sum(1 for kind, _ in chunks if kind not in _KEEP + _TEXT)
    found = [Finding("tags", texts)] if texts else []
    return found + ([Finding("unknown_blocks", other)] if other else [])


def inspect(data: bytes, ctx: Context) -> tuple[Finding, ...]:
    """Texts, tags and other chunks beside the sound."""
    return tuple(_findings(_chunks(data)[1]))


def clean(data: bytes, ctx: Context) -> Cleaned:
    """A copy with the format and samples only."""
    form, chunks = _chunks(data)
    body = bytearray(form)
    for kind, payload in chunks:
        if kind in _KEEP:
            body += struct.pack(">4sI", kind, len(payload)) + payload
            body += b"\x00" * (len(payload) & 1)
    out = b"FORM" + struct.pack(">I", len(body)) + bytes(body)
    return Cleaned(out, tuple(_findings(chunks)), RESIDUAL)
