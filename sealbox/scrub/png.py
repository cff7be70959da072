"""PNG (and APNG): rebuilt from a whitelist of chunks; pixel data is copied untouched.

Kept: IHDR, PLTE, tRNS, IDAT, IEND and the APNG animation chunks. Dropped: text chunks (tEXt,
zTXt, iTXt), eXIf, iCCP and every other ancillary chunk, and anything after IEND.
"""

from __future__ import annotations

import io
import struct
import zlib

from sealbox.scrub import exif
from sealbox.scrub.cleaner import Cleaned, Context
from sealbox.scrub.errors import CannotClean, damaged
from sealbox.scrub.model import Finding, Notice

KIND = "image/png"
SIGNATURE = b"\x89PNG\r\n\x1a\n"
_KEEP = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND", b"acTL", b"fcTL", b"fdAT"}
_TEXT = {b"tEXt", b"zTXt", b"iTXt"}
_DATES = {b"tIME"}
RESIDUAL = (Notice("image_content"), Notice("sensor_noise"))


def chunks(data: bytes) -> tuple[list[tuple[bytes, bytes]], int]:
    """The (type, payload) chunks up to IEND, and how many bytes follow it."""
    if not data.startswith(SIGNATURE):
        raise damaged(KIND)
    pos, n, out = 8, len(data), []
    while True:
        if pos + 12 > n:
            raise damaged(KIND)
        length, ctype = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if end > n or not ctype.isalpha():
            raise damaged(KIND)
        payload = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : end])
        if zlib.crc32(ctype + payload) != crc:
            raise damaged(KIND)
        out.append((ctype, payload))
        pos = end
        if ctype == b"IEND":
            break
    if out[0][0] != b"IHDR" or len(out[0][1]) != 13 or not any(c == b"IDAT" for c, _ in out):
        raise damaged(KIND)
    return out, n - pos


def inspect(data: bytes, ctx: Context | None = None) -> tuple[Finding, ...]:
    """What the PNG carries besides its pixels."""
    parsed, trailing = chunks(data)
    return tuple(_findings(parsed, trailing))


def _findings(parsed: list[tuple[bytes, bytes]], trailing: int) -> list[Finding]:
    out: list[Finding] = []
    for ctype, payload in parsed:
        if ctype in _KEEP:
            continue
        if ctype in _TEXT:
            out.append(Finding("text_notes", 1))
        elif ctype == b"eXIf":
            if not exif.only_orientation(payload):
                out.extend(exif.findings(payload))
        elif ctype == b"iCCP":
            out.append(Finding("icc"))
        elif ctype in _DATES:
            out.append(Finding("dates", 1))
        elif ctype in (b"gAMA", b"cHRM", b"sRGB", b"pHYs", b"sBIT", b"bKGD", b"hIST", b"sPLT"):
            continue  # rendering hints: dropped, but nothing a person needs to hear about
        else:
            out.append(Finding("unknown_blocks", 1))
    if trailing:
        out.append(Finding("trailing_data"))
    return out


def clean(data: bytes, ctx: Context) -> Cleaned:
    """A copy with only the whitelisted chunks and, if needed, a fresh orientation tag."""
    parsed, trailing = chunks(data)
    width, height = struct.unpack(">II", parsed[0][1][:8])
    if width * height > ctx.options.max_pixels:
        raise CannotClean("too_large", f"{width}×{height}")
    findings = tuple(_findings(parsed, trailing))
    if ctx.options.strict_images:
        from sealbox.scrub import rerender

        return Cleaned(
            rerender.render(data, ctx, "PNG"),
            findings,
            (RESIDUAL[0], Notice("sensor_noise_reduced")),
        )
    orient = next((exif.orientation(p) for c, p in parsed if c == b"eXIf"), 1)
    out = io.BytesIO()
    out.write(SIGNATURE)
    for ctype, payload in parsed:
        if ctype == b"IHDR":
            _chunk(out, ctype, payload)
            if orient != 1:
                _chunk(out, b"eXIf", exif.minimal_exif(orient))
        elif ctype in _KEEP:
            _chunk(out, ctype, payload)
    return Cleaned(out.getvalue(), findings, RESIDUAL)


def _chunk(out: io.BytesIO, ctype: bytes, payload: bytes) -> None:
    out.write(struct.pack(">I", len(payload)) + ctype + payload)
    out.write(struct.pack(">I", zlib.crc32(ctype + payload)))
