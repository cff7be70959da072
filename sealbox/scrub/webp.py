"""WebP: rebuilt from the image, alpha and animation chunks, with the VP8X flags fixed.

Dropped: EXIF, XMP, ICCP and unknown chunks (also inside animation frames), and bytes past the
RIFF size. Orientation survives only as a fresh one-tag EXIF chunk.
"""

from __future__ import annotations

import io
import struct

from sealbox.scrub import exif
from sealbox.scrub.cleaner import Cleaned, Context
from sealbox.scrub.errors import CannotClean, damaged
from sealbox.scrub.model import Finding, Notice

KIND = "image/webp"
_IMAGE = {b"VP8 ", b"VP8L", b"ALPH"}
_KEEP = _IMAGE | {b"VP8X", b"ANIM", b"ANMF"}
_ICC, _ALPHA, _EXIF, _XMP, _ANIM = 0x20, 0x10, 0x08, 0x04, 0x02
RESIDUAL = (Notice("image_content"), Notice("sensor_noise"))


def _chunks(data: bytes, start: int, end: int) -> list[tuple[bytes, bytes]]:
    out, pos = [], start
    while pos + 8 <= end:
        ctype, size = struct.unpack("<4sI", data[pos : pos + 8])
        if pos + 8 + size > end:
            raise damaged(KIND)
        out.append((ctype, data[pos + 8 : pos + 8 + size]))
        pos += 8 + size + (size & 1)
    if pos < end - 1:
        raise damaged(KIND)
    return out


def _parse(data: bytes) -> tuple[list[tuple[bytes, bytes]], int]:
    if len(data) < 20 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise damaged(KIND)
    (riff,) = struct.unpack("<I", data[4:8])
    end = 8 + riff
    if end > len(data):
        raise damaged(KIND)
    chunks = _chunks(data, 12, end)
    if not chunks or not any(c in (b"VP8 ", b"VP8L", b"ANMF") for c, _ in chunks):
        raise damaged(KIND)
    return chunks, len(data) - end


def _frame_parts(payload: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    if len(payload) < 16:
        raise damaged(KIND)
    return payload[:16], _chunks(payload, 16, len(payload))


def inspect(data: bytes, ctx: Context | None = None) -> tuple[Finding, ...]:
    """What the WebP carries besides its image."""
    chunks, trailing = _parse(data)
    return tuple(_findings(chunks, trailing))


def _findings(chunks: list[tuple[bytes, bytes]], trailing: int) -> list[Finding]:
    out: list[Finding] = []
    for ctype, payload in chunks:
        if ctype == b"EXIF":
            body = payload[6:] if payload.startswith(b"Exif\x00\x00") else payload
            if not exif.only_orientation(body):
                out.extend(exif.findings(body))
        elif ctype == b"XMP ":
            out.append(Finding("xmp", 1))
        elif ctype == b"ICCP":
            out.append(Finding("icc"))
        elif ctype == b"ANMF":
            _, sub = _frame_parts(payload)
            if any(c not in _IMAGE for c, _ in sub):
                out.append(Finding("unknown_blocks", 1))
        elif ctype not in _KEEP:
            out.append(Finding("unknown_blocks", 1))
    if trailing:
        out.append(Finding("trailing_data"))
    return out


def _size(chunks: list[tuple[bytes, bytes]]) -> tuple[int, int]:
    for ctype, p in chunks:
        if ctype == b"VP8X" and len(p) >= 10:
            w = int.from_bytes(p[4:7], "little") + 1
            h = int.from_bytes(p[7:10], "little") + 1
            return w, h
        if ctype == b"VP8L" and len(p) >= 5:
            bits = int.from_bytes(p[1:5], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        if ctype == b"VP8 " and len(p) >= 10:
            return int.from_bytes(p[6:8], "little") & 0x3FFF, int.from_bytes(
                p[8:10], "little"
            ) & 0x3FFF
    raise damaged(KIND)


def clean(data: bytes, ctx: Context) -> Cleaned:
    """A copy with only image, alpha and animation chunks."""
    chunks, trailing = _parse(data)
    width, height = _size(chunks)
    if width * height > ctx.options.max_pixels:
        raise CannotClean("too_large", f"{width}×{height}")
    findings = tuple(_findings(chunks, trailing))
    orient = 1
    for ctype, payload in chunks:
        if ctype == b"EXIF":
            orient = exif.orientation(payload[6:] if payload.startswith(b"Exif") else payload)
    body = io.BytesIO()
    for ctype, payload in chunks:
        if ctype == b"VP8X":
            flags = payload[0] & (_ALPHA | _ANIM)
            if orient != 1:
                flags |= _EXIF
            _chunk(body, ctype, bytes([flags]) + payload[1:10])
        elif ctype == b"ANMF":
            head, sub = _frame_parts(payload)
            frame = io.BytesIO()
            frame.write(head)
            for c, p in sub:
                if c in _IMAGE:
                    _chunk(frame, c, p)
            _chunk(body, ctype, frame.getvalue())
        elif ctype in _KEEP:
            _chunk(body, ctype, payload)
    has_vp8x = any(c == b"VP8X" for c, _ in chunks)
    if orient != 1 and has_vp8x:
        _chunk(body, b"EXIF", exif.minimal_exif(orient))
    payload = b"WEBP" + body.getvalue()
    return Cleaned(b"RIFF" + struct.pack("<I", len(payload)) + payload, findings, RESIDUAL)


def _chunk(out: io.BytesIO, ctype: bytes, payload: bytes) -> None:
    out.write(ctype + struct.pack("<I", len(payload)) + payload)
    if len(payload) & 1:
        out.write(b"\x00")
