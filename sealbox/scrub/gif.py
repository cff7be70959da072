"""GIF: rebuilt from the image data and the loop extension; frames are copied untouched.

Dropped: comment and plain-text extensions, application extensions other than the
NETSCAPE/ANIMEXTS loop (XMP and ICC ride in those), and anything after the trailer.
"""

from __future__ import annotations

import io

from sealbox.scrub.cleaner import Cleaned, Context
from sealbox.scrub.errors import CannotClean, damaged
from sealbox.scrub.model import Finding, Notice

KIND = "image/gif"
_LOOP_APPS = (b"NETSCAPE2.0", b"ANIMEXTS1.0")
RESIDUAL = (Notice("image_content"),)


def _sub_blocks(data: bytes, pos: int) -> int:
    """Index just past a chain of data sub-blocks starting at `pos`."""
    n = len(data)
    while True:
        if pos >= n:
            raise damaged(KIND)
        size = data[pos]
        pos += 1 + size
        if size == 0:
            return pos


def _parse(data: bytes) -> tuple[bytes, list[tuple[str, bytes]], int, int, int]:
    """Header block, then (kind, raw bytes) blocks, trailing byte count, width, height."""
    if len(data) < 13 or data[:6] not in (b"GIF87a", b"GIF89a"):
        raise damaged(KIND)
    width = int.from_bytes(data[6:8], "little")
    height = int.from_bytes(data[8:10], "little")
    flags = data[10]
    pos = 13 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0)
    if pos > len(data):
        raise damaged(KIND)
    header = b"GIF89a" + data[6:pos]
    blocks: list[tuple[str, bytes]] = []
    n = len(data)
    while True:
        if pos >= n:
            raise damaged(KIND)
        intro = data[pos]
        if intro == 0x3B:
            pos += 1
            break
        if intro == 0x2C:
            if pos + 10 > n:
                raise damaged(KIND)
            lflags = data[pos + 9]
            end = pos + 10 + (3 * (2 << (lflags & 7)) if lflags & 0x80 else 0) + 1
            end = _sub_blocks(data, end)
            blocks.append(("image", data[pos:end]))
        elif intro == 0x21:
            if pos + 2 > n:
                raise damaged(KIND)
            label = data[pos + 1]
            end = _sub_blocks(data, pos + 2)
            raw = data[pos:end]
            if label == 0xF9:
                blocks.append(("control", raw))
            elif label == 0xFF:
                ident = raw[3:14] if len(raw) > 14 and raw[2] == 11 else b""
                blocks.append(("loop" if ident in _LOOP_APPS else "app", raw))
            elif label == 0xFE:
                blocks.append(("comment", raw))
            else:
                blocks.append(("text", raw))
        else:
            raise damaged(KIND)
        pos = end
    if not any(k == "image" for k, _ in blocks):
        raise damaged(KIND)
    return header, blocks, n - pos, width, height


def inspect(data: bytes, ctx: Context | None = None) -> tuple[Finding, ...]:
    """What the GIF carries besides its frames."""
    _, blocks, trailing, _, _ = _parse(data)
    return tuple(_findings(blocks, trailing))


def _findings(blocks: list[tuple[str, bytes]], trailing: int) -> list[Finding]:
    out: list[Finding] = []
    for kind, raw in blocks:
        if kind == "comment":
            out.append(Finding("comments", 1))
        elif kind == "text":
            out.append(Finding("text_notes", 1))
        elif kind == "app":
            out.append(Finding("xmp", 1) if b"XMP Data" in raw[:20] else Finding("metadata"))
    if trailing:
        out.append(Finding("trailing_data"))
    return out


def clean(data: bytes, ctx: Context) -> Cleaned:
    """A copy with only frames, their timing and the loop count."""
    header, blocks, trailing, width, height = _parse(data)
    if width * height > ctx.options.max_pixels:
        raise CannotClean("too_large", f"{width}×{height}")
    out = io.BytesIO()
    out.write(header)
    for kind, raw in blocks:
        if kind in ("image", "control", "loop"):
            out.write(raw)
    out.write(b"\x3b")
    return Cleaned(out.getvalue(), tuple(_findings(blocks, trailing)), RESIDUAL)
