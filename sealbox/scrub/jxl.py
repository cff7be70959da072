"""JPEG XL: the container is rebuilt from its image boxes; the codestream is copied untouched.

Kept: the signature, ftyp, jxll (level), jxlc/jxlp (the codestream) and jxli (frame index).
Dropped: Exif, XMP (`xml `), JUMBF, Brotli-compressed metadata (`brob`), the JPEG
reconstruction data (`jbrd`, which carries the original JPEG's own headers) and anything else.
A bare codestream has no place for such boxes and is returned as it is.
"""

from __future__ import annotations

import struct

from sealbox.scrub.cleaner import Cleaned, Context
from sealbox.scrub.errors import damaged
from sealbox.scrub.model import Finding, Notice

KIND = "image/jxl"
_SIGNATURE = b"\x00\x00\x00\x0cJXL \r\n\x87\n"
_KEEP = (b"ftyp", b"jxll", b"jxlc", b"jxlp", b"jxli")
_CODES = {b"Exif": "exif_other", b"xml ": "xmp", b"jumb": "metadata", b"brob": "metadata"}
RESIDUAL = (Notice("image_content"), Notice("sensor_noise"))


def _boxes(data: bytes) -> list[tuple[bytes, bytes]]:
    pos, out = len(_SIGNATURE), []
    while pos < len(data):
        if pos + 8 > len(data):
            raise damaged(KIND)
        size, kind = struct.unpack_from(">I4s", data, pos)
        head = 8
        if size == 1:
            if pos + 16 > len(data):
                raise damaged(KIND)
            (size,) = struct.unpack_from(">Q", data, pos + 8)
            head = 16
        elif size == 0:
            size = len(data) - pos
        if size < head or pos + size > len(data):
            raise damaged(KIND)
        out.append((kind, data[pos + head : pos + size]))
        pos += size
    if not any(kind in (b"jxlc", b"jxlp") for kind, _ in out):
        raise damaged(KIND)
    return out


def _findings(boxes: list[tuple[bytes, bytes]]) -> list[Finding]:
    found = []
    for kind, payload in boxes:
        if kind in _KEEP:
            continue
        if kind == b"brob" and payload[:4] in _CODES:
            kind = payload[:4]
        if kind == b"xml ":
            found.append(Finding("xmp", 1))
        elif kind != b"jbrd":
            found.append(Finding(_CODES.get(kind, "unknown_blocks"), 1))
    return found


def inspect(data: bytes, ctx: Context) -> tuple[Finding, ...]:
    """Metadata boxes beside the codestream."""
    if not data.startswith(_SIGNATURE):
        return ()
    return tuple(_findings(_boxes(data)))


def clean(data: bytes, ctx: Context) -> Cleaned:
    """The signature and image boxes only."""
    if not data.startswith(_SIGNATURE):
        if not data.startswith(b"\xff\x0a"):
            raise damaged(KIND)
        return Cleaned(data, (), RESIDUAL)
    boxes = _boxes(data)
    out = bytearray(_SIGNATURE)
    for kind, payload in boxes:
        if kind in _KEEP:
            out += struct.pack(">I4s", 8 + len(payload), kind) + payload
    return Cleaned(bytes(out), tuple(_findings(boxes)), RESIDUAL)
