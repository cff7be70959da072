"""JPEG: rebuilt from a whitelist of structural segments, so not one pixel changes.

Kept: quantisation and Huffman tables, frame header, scans (entropy-coded data copied byte for
byte), restart interval, arithmetic-coding conditioning. Everything else -- EXIF with GPS and
serials, maker notes, thumbnails, XMP, IPTC, ICC, comments, data after the end marker -- goes.
Orientation survives only as a freshly written one-tag EXIF block.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from sealbox.scrub import exif
from sealbox.scrub.cleaner import Cleaned, Context
from sealbox.scrub.errors import CannotClean, damaged
from sealbox.scrub.model import Finding, Notice

KIND = "image/jpeg"

SOI, EOI, SOS = 0xD8, 0xD9, 0xDA
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_KEEP = _SOF | {0xC4, 0xCC, 0xDB, 0xDD, 0xDC}  # DHT, DAC, DQT, DRI, DNL
RESIDUAL = (Notice("image_content"), Notice("sensor_noise"))


@dataclass(frozen=True)
class Segment:
    marker: int
    payload: bytes  # for SOS: header + entropy-coded data up to the next marker


@dataclass(frozen=True)
class Parsed:
    segments: list[Segment]
    trailing: int  # bytes after EOI
    width: int
    height: int
    components: int


def parse(data: bytes) -> Parsed:
    """Split a JPEG into segments; raises CannotClean if it is not a complete JPEG."""
    if not data.startswith(b"\xff\xd8"):
        raise damaged(KIND)
    pos, n = 2, len(data)
    segments: list[Segment] = []
    width = height = comps = 0
    while True:
        while pos < n and data[pos] == 0xFF and pos + 1 < n and data[pos + 1] == 0xFF:
            pos += 1  # fill bytes
        if pos + 2 > n or data[pos] != 0xFF:
            raise damaged(KIND)
        marker = data[pos + 1]
        pos += 2
        if marker == EOI:
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue  # stray restart marker / TEM: no payload
        if pos + 2 > n:
            raise damaged(KIND)
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        if length < 2 or pos + length > n:
            raise damaged(KIND)
        payload = data[pos + 2 : pos + length]
        pos += length
        if marker in _SOF:
            if len(payload) < 6:
                raise damaged(KIND)
            height, width = struct.unpack(">HH", payload[1:5])
            comps = payload[5]
        if marker == SOS:
            end = _scan_end(data, pos)
            payload = payload + data[pos:end]
            pos = end
        segments.append(Segment(marker, payload))
    if not any(s.marker in _SOF for s in segments) or not any(s.marker == SOS for s in segments):
        raise damaged(KIND)
    return Parsed(segments, n - pos, width, height, comps)


def _scan_end(data: bytes, pos: int) -> int:
    """Index of the marker that ends the entropy-coded data starting at `pos`."""
    n = len(data)
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= n:
            raise damaged(KIND)
        nxt = data[pos + 1]
        if nxt == 0x00 or 0xD0 <= nxt <= 0xD7 or nxt == 0xFF:
            pos += 1 if nxt == 0xFF else 2
            continue
        return pos


def inspect(data: bytes, ctx: Context | None = None) -> tuple[Finding, ...]:
    """What the JPEG carries besides its pixels."""
    return tuple(_findings(parse(data)))


def _findings(parsed: Parsed) -> list[Finding]:
    out: list[Finding] = []
    for seg in parsed.segments:
        m, p = seg.marker, seg.payload
        if m == 0xE1 and p.startswith(b"Exif\x00\x00"):
            if not exif.only_orientation(p[6:]):
                out.extend(exif.findings(p[6:]))
        elif m == 0xE1 and (b"ns.adobe.com/xap" in p[:64] or b"ns.adobe.com/xmp" in p[:64]):
            out.append(Finding("xmp", 1))
        elif m == 0xED:
            out.append(Finding("iptc"))
        elif m == 0xE2 and p.startswith(b"ICC_PROFILE"):
            out.append(Finding("icc"))
        elif m == 0xE0 and p.startswith(b"JFIF\x00"):
            if len(p) > 14 and p[12] and p[13]:
                out.append(Finding("thumbnail"))
        elif m == 0xE0 and p.startswith(b"JFXX"):
            out.append(Finding("thumbnail"))
        elif m == 0xEE and p.startswith(b"Adobe") and len(p) == 12 and p[5:11] == _ADOBE_FIXED:
            pass  # our own rewritten colour-transform block
        elif m == 0xE2 and p.startswith(b"MPF"):
            out.append(Finding("thumbnail"))
        elif m == 0xFE:
            out.append(Finding("comments", 1))
        elif 0xE0 <= m <= 0xEF and not p.startswith(b"JFIF\x00"):
            out.append(Finding("metadata"))
    if parsed.trailing:
        out.append(Finding("trailing_data"))
    return out


_ADOBE_FIXED = struct.pack(">HHH", 100, 0, 0)


def clean(data: bytes, ctx: Context) -> Cleaned:
    """A copy with only the structural segments and a fresh orientation tag."""
    parsed = parse(data)
    if parsed.width * parsed.height > ctx.options.max_pixels:
        raise CannotClean("too_large", f"{parsed.width}×{parsed.height}")
    if ctx.options.strict_images:
        return _rerender(data, parsed, ctx)
    return Cleaned(rebuild(parsed), tuple(_findings(parsed)), RESIDUAL)


def rebuild(parsed: Parsed, keep_orientation: bool = True) -> bytes:
    """The JPEG from its structural segments only."""
    orient, transform = 1, None
    for seg in parsed.segments:
        if seg.marker == 0xE1 and seg.payload.startswith(b"Exif\x00\x00"):
            orient = exif.orientation(seg.payload[6:])
        elif seg.marker == 0xEE and seg.payload.startswith(b"Adobe") and len(seg.payload) >= 12:
            transform = seg.payload[11]
    out = io.BytesIO()
    out.write(b"\xff\xd8")
    if transform is None and parsed.components in (1, 3):
        _segment(out, 0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    if orient != 1 and keep_orientation:
        _segment(out, 0xE1, b"Exif\x00\x00" + exif.minimal_exif(orient))
    if transform is not None:
        # The Adobe block tells decoders how colours are stored; rewrite it with nothing else.
        _segment(out, 0xEE, b"Adobe" + _ADOBE_FIXED + bytes([transform]))
    for seg in parsed.segments:
        if seg.marker == SOS:
            header_len = 1 + 2 * seg.payload[0] + 3
            out.write(b"\xff\xda" + struct.pack(">H", header_len + 2))
            out.write(seg.payload)
        elif seg.marker in _KEEP:
            _segment(out, seg.marker, seg.payload)
    out.write(b"\xff\xd9")
    return out.getvalue()


def _segment(out: io.BytesIO, marker: int, payload: bytes) -> None:
    if len(payload) + 2 > 0xFFFF:
        raise damaged(KIND)
    out.write(bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload)


def _rerender(data: bytes, parsed: Parsed, ctx: Context) -> Cleaned:
    from sealbox.scrub import rerender

    pixels = rerender.render(data, ctx, "JPEG")
    return Cleaned(pixels, tuple(_findings(parsed)), (RESIDUAL[0], Notice("sensor_noise_reduced")))
