"""Ogg Vorbis and Ogg Opus without ffmpeg: the comment header is replaced by an empty one.

The identification header, the Vorbis setup header and every audio page are kept byte for
byte; the comment packet (tags, cover pictures as METADATA_BLOCK_PICTURE, the encoder's vendor
string) becomes an empty one. Pages after it are renumbered, with fresh checksums, only when
the header needs fewer pages than before. Other layouts (several logical streams, Ogg FLAC,
Theora, bytes between pages) return None and the caller falls back to an ffmpeg remux.
"""

from __future__ import annotations

import struct
import zlib

from sealbox.scrub.avtags import classify
from sealbox.scrub.model import Finding

_HEAD = struct.Struct("<4sBBqIIIB")  # capture, version, flags, granule, serial, seq, crc, nsegs
_REVERSED = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))
_CODECS = {b"\x01vorbis": (3, b"\x03vorbis", b"\x01"), b"OpusHead": (2, b"OpusTags", b"")}


def crc(page: bytes) -> int:
    """Ogg's CRC-32 (polynomial 0x04C11DB7, not reflected, no inversion), via zlib's C code:
    the reflected CRC of bit-reversed bytes is the bit-reversed plain CRC."""
    register = ~zlib.crc32(page.translate(_REVERSED), 0xFFFFFFFF) & 0xFFFFFFFF
    return int(f"{register:032b}"[::-1], 2)


def _pages(data: bytes) -> list[tuple[int, int, int, bytes]] | None:
    """(start, end, flags, lacing) of every page, or None if anything else is in the file."""
    pages, pos, serial = [], 0, None
    while pos < len(data):
        if pos + _HEAD.size > len(data):
            return None
        capture, version, flags, _, ser, _, _, nsegs = _HEAD.unpack_from(data, pos)
        lacing = data[pos + _HEAD.size : pos + _HEAD.size + nsegs]
        end = pos + _HEAD.size + nsegs + sum(lacing)
        if capture != b"OggS" or version != 0 or len(lacing) != nsegs or end > len(data):
            return None
        if serial not in (None, ser):
            return None  # several logical streams (video, or chained files)
        serial = ser
        pages.append((pos, end, flags, lacing))
        pos = end
    return pages or None


def _headers(data: bytes, pages, wanted: int) -> tuple[list[bytes], int] | None:
    """The first `wanted` packets and how many pages they fill (they must end with a page)."""
    packets, current = [], bytearray()
    for index, (start, _, _, lacing) in enumerate(pages):
        pos = start + _HEAD.size + len(lacing)
        for value in lacing:
            current += data[pos : pos + value]
            pos += value
            if value < 255:
                packets.append(bytes(current))
                current = bytearray()
                if len(packets) == wanted:
                    done_here = pos == start + _HEAD.size + len(lacing) + sum(lacing)
                    return (packets, index + 1) if done_here else None
    return None


def _comment_keys(packet: bytes, prefix: bytes) -> tuple[list[str], bool]:
    """Tag names in a comment packet, and whether it named the encoder (vendor string)."""
    try:
        pos = len(prefix)
        (vendor,) = struct.unpack_from("<I", packet, pos)
        pos += 4 + vendor
        (count,) = struct.unpack_from("<I", packet, pos)
        pos += 4
        keys = []
        for _ in range(min(count, 100_000)):
            (size,) = struct.unpack_from("<I", packet, pos)
            entry = packet[pos + 4 : pos + 4 + size]
            keys.append(entry.split(b"=", 1)[0].decode("ascii", "replace").lower())
            pos += 4 + size
        return keys, vendor > 0
    except struct.error:
        return ["comments"], True


def _paginate(packets: list[bytes], serial: int, first_seq: int) -> list[bytes]:
    """Header packets laid out on fresh pages (granule 0), up to 255 lacing values a page."""
    lacing: list[int] = []
    for packet in packets:
        lacing += [255] * (len(packet) // 255) + [len(packet) % 255]
    body = b"".join(packets)
    pages, pos, seq, continued = [], 0, first_seq, False
    for at in range(0, len(lacing), 255):
        chunk = lacing[at : at + 255]
        size = sum(chunk)
        head = _HEAD.pack(b"OggS", 0, 1 if continued else 0, 0, serial, seq, 0, len(chunk))
        page = bytearray(head + bytes(chunk) + body[pos : pos + size])
        struct.pack_into("<I", page, 22, crc(bytes(page)))
        pages.append(bytes(page))
        pos += size
        seq += 1
        continued = chunk[-1] == 255
    return pages


def strip(data: bytes) -> tuple[bytes, list[Finding]] | None:
    """A copy with an empty comment header and what it held, or None to use the remux."""
    pages = _pages(data)
    if pages is None:
        return None
    start, _, _, lacing = pages[0]
    first = data[start + _HEAD.size + len(lacing) :][:8]
    codec = next((v for k, v in _CODECS.items() if first.startswith(k)), None)
    if codec is None:
        return None
    wanted, prefix, framing = codec
    found = _headers(data, pages, wanted)
    if found is None or len(found[0][0]) != pages[0][1] - pages[0][0] - _HEAD.size - 1:
        return None  # the identification header must fill the first page alone
    packets, used = found
    if not packets[1].startswith(prefix):
        return None
    keys, vendor = _comment_keys(packets[1], prefix)
    serial = struct.unpack_from("<I", data, 14)[0]
    empty = prefix + struct.pack("<II", 0, 0) + framing
    header = _paginate([empty, *packets[2:]], serial, 1)
    out = bytearray(data[pages[0][0] : pages[0][1]])
    for page in header:
        out += page
    shift = len(header) - (used - 1)
    for start, end, _, _ in pages[used:]:
        if shift == 0:
            out += data[start:end]
            continue
        page = bytearray(data[start:end])
        (seq,) = struct.unpack_from("<I", page, 18)
        struct.pack_into("<II", page, 18, seq + shift, 0)
        struct.pack_into("<I", page, 22, crc(bytes(page)))
        out += page
    findings = []
    if "metadata_block_picture" in keys or "coverart" in keys:
        findings.append(Finding("cover_art"))
    keys = [k for k in keys if k not in ("metadata_block_picture", "coverart")]
    findings += classify(keys, skip_technical=False)
    if vendor:
        findings.append(Finding("software"))
    return bytes(out), findings
