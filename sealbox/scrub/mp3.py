"""MP3 without ffmpeg: cut the tags around the MPEG audio frames and keep the frames byte for byte.

Removed: ID3v2 tags in front (and appended ones with a footer), APEv2, Lyrics3v2 and ID3v1
(+ extended) tags at the end; the encoder name in a Xing/Info LAME header becomes the neutral
"Lavf" (with the header's checksum recomputed) so the gapless-playback data stays. Only the
frames are copied: bytes between them (where data can be hidden) and a cut-off last frame are
dropped, which a remux would keep. A file with no run of frames of one stream (free-format
bitrate, not MPEG audio at all) returns None and the caller falls back to an ffmpeg remux.
"""

from __future__ import annotations

import io
import struct

from mutagen.id3 import ID3

from sealbox.scrub.avtags import classify
from sealbox.scrub.model import Finding

# Bitrates in kbit/s by (MPEG-1?, layer); index 0 (free format) and 15 are refused.
_BITRATES = {
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_ID3_DATES = {"TDRC", "TYER", "TDAT", "TIME", "TDEN", "TDOR", "TDRL", "TDTG", "TORY", "TRDA"}
_ID3_SOFTWARE = {"TSSE", "TENC"}
_ID3_PICTURES = {"APIC", "PIC"}


def _synchsafe(b: bytes) -> int:
    return (b[0] & 0x7F) << 21 | (b[1] & 0x7F) << 14 | (b[2] & 0x7F) << 7 | (b[3] & 0x7F)


def _frame(data: bytes, pos: int) -> tuple[int, tuple[int, int, int]] | None:
    """(length, (version, layer, rate index)) of the MPEG audio frame at `pos`, or None."""
    if pos + 4 > len(data) or data[pos] != 0xFF or data[pos + 1] & 0xE0 != 0xE0:
        return None
    version, layer_bits = (data[pos + 1] >> 3) & 3, (data[pos + 1] >> 1) & 3
    bitrate_i, rate_i = data[pos + 2] >> 4, (data[pos + 2] >> 2) & 3
    if version == 1 or layer_bits == 0 or bitrate_i in (0, 15) or rate_i == 3:
        return None
    layer = 4 - layer_bits
    mpeg1 = version == 3
    bitrate = _BITRATES[(mpeg1, layer)][bitrate_i] * 1000
    rate = _RATES[version][rate_i]
    pad = (data[pos + 2] >> 1) & 1
    if layer == 1:
        length = (12 * bitrate // rate + pad) * 4
    elif layer == 3 and not mpeg1:
        length = 72 * bitrate // rate + pad
    else:
        length = 144 * bitrate // rate + pad
    return length, (version, layer, rate_i)


def _leading_id3(data: bytes, pos: int, tags: list[tuple[str, bytes]]) -> int:
    while data[pos : pos + 3] == b"ID3" and pos + 10 <= len(data):
        end = pos + 10 + _synchsafe(data[pos + 6 : pos + 10]) + (10 if data[pos + 5] & 0x10 else 0)
        tags.append(("id3v2", data[pos:end]))
        pos = end
    return pos


def _trailing_tags(data: bytes, end: int, start: int, tags: list[tuple[str, bytes]]) -> int:
    while end > start:
        if end - start >= 128 and data[end - 128 : end - 125] == b"TAG":
            cut = 128 + (227 if data[end - 355 : end - 351] == b"TAG+" else 0)
            tags.append(("id3v1", b""))
        elif data[end - 32 : end - 24] == b"APETAGEX":
            size, _, flags = struct.unpack("<III", data[end - 20 : end - 8])
            cut = size + (32 if flags & 0x80000000 else 0)
            tags.append(("ape", data[end - cut : end]))
        elif data[end - 9 : end] == b"LYRICS200" and data[end - 15 : end - 9].isdigit():
            cut = int(data[end - 15 : end - 9]) + 15
            tags.append(("lyrics3", b""))
        elif data[end - 10 : end - 7] == b"3DI":
            cut = _synchsafe(data[end - 4 : end]) + 20
            tags.append(("id3v2", data[end - cut : end]))
        else:
            break
        if cut <= 0 or cut > end - start:
            return -1
        end -= cut
    return end


def _frames(data: bytes, start: int, end: int) -> tuple[list[tuple[int, int]], int] | None:
    """Spans of the MPEG frames in [start, end) and how many stretches of other bytes lay
    between them; None when there is no run of frames of one stream to hold on to."""
    spans: list[tuple[int, int]] = []
    kind, pos, junk, chained = None, start, 0, False
    while pos < end:
        found = _frame(data, pos)
        ok = found is not None and found[0] >= 4 and kind in (None, found[1])
        if ok and not chained and pos + found[0] < end:
            # Sync words occur by chance in other bytes: after a gap, trust a header only when
            # the next one follows where it says (or it is the last frame).
            following = _frame(data, pos + found[0])
            ok = following is not None and following[1] == found[1]
        if ok and pos + found[0] <= end:
            kind = found[1]
            spans.append((pos, pos + found[0]))
            pos += found[0]
            chained = True
            continue
        chained = False
        # Not a frame: bytes hidden between frames, or a cut-off last frame. Skip to the next
        # header; the skipped bytes are dropped.
        nxt = data.find(b"\xff", pos + 1, end)
        while nxt != -1 and not (
            (f := _frame(data, nxt)) is not None
            and kind in (None, f[1])
            and (nxt + f[0] == end or (g := _frame(data, nxt + f[0])) is not None and g[1] == f[1])
        ):
            nxt = data.find(b"\xff", nxt + 1, end)
        junk += 1
        if nxt == -1:
            break
        pos = nxt
    if not spans or kind is None:
        return None
    return spans, junk


def _neutral_lame(data: bytearray, start: int) -> bool:
    """Replace the encoder name in a LAME tag of the first frame; True if there was one."""
    version, layer = (data[start + 1] >> 3) & 3, 4 - ((data[start + 1] >> 1) & 3)
    if layer != 3:
        return False
    mono = (data[start + 3] >> 6) == 3
    side = (17 if mono else 32) if version == 3 else (9 if mono else 17)
    xing = start + 4 + side
    if bytes(data[xing : xing + 4]) not in (b"Xing", b"Info"):
        return False
    (flags,) = struct.unpack(">I", data[xing + 4 : xing + 8])
    lame = xing + 8 + 4 * bool(flags & 1) + 4 * bool(flags & 2) + 100 * bool(flags & 4)
    lame += 4 * bool(flags & 8)
    tag = bytes(data[lame : lame + 9])
    if len(tag) < 9 or not tag[:4].isalnum():
        return False
    if tag == b"Lavf\x00\x00\x00\x00\x00":
        return False
    data[lame : lame + 9] = b"Lavf" + bytes(5)
    # The tag's CRC covers the frame's first 190 bytes (with the CRC field itself as zeros
    # when a mono frame puts it inside them), as LAME and ffmpeg write it.
    crc_at = lame + 34
    data[crc_at : crc_at + 2] = b"\x00\x00"
    data[crc_at : crc_at + 2] = struct.pack(">H", _crc16(bytes(data[start : start + 190])))
    return True


def _crc16(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def _findings(tags: list[tuple[str, bytes]], lame: bool) -> list[Finding]:
    keys: list[str] = []
    out: list[Finding] = []
    for kind, blob in tags:
        if kind == "id3v2":
            keys += _id3_keys(blob, out)
        elif kind == "ape":
            keys += _ape_keys(blob)
        else:
            keys.append(kind)
    if lame:
        out.append(Finding("software"))
    return out + classify(keys)


def _id3_keys(blob: bytes, out: list[Finding]) -> list[str]:
    try:
        tags = ID3(io.BytesIO(blob))
    except Exception:  # an unreadable tag is still removed; say so without detail
        return ["id3v2"]
    keys = []
    for frame in tags.values():
        fid = frame.FrameID
        if fid in _ID3_PICTURES:
            out.append(Finding("cover_art"))
        elif fid in _ID3_DATES:
            keys.append("date")
        elif fid in _ID3_SOFTWARE:
            keys.append("software")
        elif fid == "TXXX":
            keys.append(str(frame.desc) or "txxx")
        else:
            keys.append(fid)
    return keys


def _ape_keys(blob: bytes) -> list[str]:
    if blob[:8] == b"APETAGEX":
        blob = blob[32:]
    keys, pos = [], 0
    while pos + 8 < len(blob) - 32:
        size = int.from_bytes(blob[pos : pos + 4], "little")
        nul = blob.find(b"\x00", pos + 8)
        if nul < 0:
            break
        keys.append(blob[pos + 8 : nul].decode("ascii", "replace"))
        pos = nul + 1 + size
    return keys or ["ape"]


def strip(data: bytes) -> tuple[bytes, list[Finding]] | None:
    """The frames alone and what surrounded them, or None when the file is not a plain chain."""
    tags: list[tuple[str, bytes]] = []
    start = _leading_id3(data, 0, tags)
    end = _trailing_tags(data, len(data), start, tags)
    if end < 0:
        return None
    while start < end and data[start] == 0:  # padding some taggers leave after the ID3 tag
        start += 1
    found = _frames(data, start, end)
    if found is None:
        return None
    spans, junk = found
    view = memoryview(data)
    out = bytearray().join(view[s:e] for s, e in spans)
    lame = _neutral_lame(out, 0)
    findings = _findings(tags, lame)
    if junk:
        findings.append(Finding("unknown_blocks", junk))
    return bytes(out), findings
