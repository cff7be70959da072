"""Audio, cleaned in process with the sound copied byte for byte: FLAC rebuilt from its own
blocks, MP3 cut out of its tags (`mp3`), WAV reduced to its format and data chunks (`wav`),
Ogg Vorbis/Opus with an empty comment header (`ogg`), M4A rebuilt from its boxes (`isobmff`).
What these native paths cannot vouch for is remuxed by ffmpeg without re-encoding and without
any tag (ID3v1/v2, APEv2, Vorbis comments, RIFF INFO, MP4 atoms) or cover picture.
"""

from __future__ import annotations

import struct

from sealbox.scrub import isobmff, mp3, ogg, remux, wav
from sealbox.scrub.cleaner import Cleaned, Context
from sealbox.scrub.errors import damaged
from sealbox.scrub.model import Finding, Notice

_FORMATS = {
    "audio/mpeg": ("mp3", ("-id3v2_version", "0", "-write_id3v1", "0")),
    "audio/ogg": ("ogg", ()),
    "audio/wav": ("wav", ()),
    "audio/mp4": ("ipod", ()),
}
_STREAMINFO, _SEEKTABLE = 0, 3
_BLOCK_CODES = {1: None, 2: "metadata", 4: "tags", 5: "metadata", 6: "cover_art"}
RESIDUAL = (Notice("av_content"),)


def _kind(data: bytes) -> str:
    from sealbox.scrub.detect import detect

    return detect(data)


def _native(data: bytes, kind: str) -> tuple[bytes, list[Finding]] | None:
    """A clean copy made without ffmpeg, or None where only a remux can vouch for the result."""
    strip = {
        "audio/mpeg": mp3.strip,
        "audio/mp4": isobmff.rebuild,
        "audio/wav": wav.strip,
        "audio/ogg": ogg.strip,
    }.get(kind)
    if strip is None:
        return None
    try:
        return strip(data)
    except (struct.error, ValueError, IndexError):  # an odd layout: let ffmpeg judge the file
        return None


def _flac_blocks(data: bytes) -> tuple[list[tuple[int, bytes]], int, int]:
    """(type, body) metadata blocks, where the audio frames start, and ID3 bytes in front."""
    start = 0
    if data.startswith(b"ID3") and len(data) > 10:
        size = 0
        for b in data[6:10]:
            size = (size << 7) | (b & 0x7F)
        start = 10 + size
    if data[start : start + 4] != b"fLaC":
        raise damaged("audio/flac")
    pos, blocks = start + 4, []
    while True:
        if pos + 4 > len(data):
            raise damaged("audio/flac")
        header = data[pos]
        (length,) = struct.unpack(">I", b"\x00" + data[pos + 1 : pos + 4])
        body = data[pos + 4 : pos + 4 + length]
        if len(body) != length:
            raise damaged("audio/flac")
        blocks.append((header & 0x7F, body))
        pos += 4 + length
        if header & 0x80:
            break
    if not blocks or blocks[0][0] != _STREAMINFO or len(blocks[0][1]) != 34:
        raise damaged("audio/flac")
    return blocks, pos, start


def _flac_findings(blocks: list[tuple[int, bytes]], id3: int, tail: bytes) -> list[Finding]:
    out: list[Finding] = []
    for btype, body in blocks:
        if btype == 4 and len(body) >= 8:
            (vlen,) = struct.unpack("<I", body[:4])
            count = (
                struct.unpack("<I", body[4 + vlen : 8 + vlen])[0] if len(body) >= 8 + vlen else 0
            )
            if count:
                out.append(Finding("tags", count))
        elif _BLOCK_CODES.get(btype):
            out.append(Finding(_BLOCK_CODES[btype]))
    if id3:
        out.append(Finding("tags", 1))
    if tail.endswith(b"") and (tail[-128:-125] == b"TAG" or b"APETAGEX" in tail[-200:]):
        out.append(Finding("tags", 1))
    return out


def inspect(data: bytes, ctx: Context) -> tuple[Finding, ...]:
    """Tags, pictures and other blocks beside the sound."""
    kind = _kind(data)
    if kind == "audio/flac":
        blocks, _, id3 = _flac_blocks(data)
        return tuple(_flac_findings(blocks, id3, data[-256:]))
    native = _native(data, kind)
    if native is not None:
        return tuple(native[1])
    return tuple(remux.findings(remux.probe(data, kind)))


def clean(data: bytes, ctx: Context) -> Cleaned:
    """A copy with the sound only."""
    kind = _kind(data)
    if kind == "audio/flac":
        return _clean_flac(data)
    native = _native(data, kind)
    if native is not None:
        return Cleaned(native[0], tuple(native[1]), RESIDUAL)
    found = remux.findings(remux.probe(data, kind))
    fmt, extra = _FORMATS[kind]
    return Cleaned(remux.remux(data, kind, fmt, video=False, extra=extra), tuple(found), RESIDUAL)


def _clean_flac(data: bytes) -> Cleaned:
    blocks, audio_start, id3 = _flac_blocks(data)
    audio = data[audio_start:]
    found = _flac_findings(blocks, id3, audio[-256:])
    # Trailing ID3v1 / APEv2 tags would sit after the last frame; FLAC readers ignore the cut.
    audio = _strip_trailing_tags(audio)
    keep = [(t, b) for t, b in blocks if t in (_STREAMINFO, _SEEKTABLE)]
    out = bytearray(b"fLaC")
    for i, (btype, body) in enumerate(keep):
        last = 0x80 if i == len(keep) - 1 else 0
        out += bytes([btype | last]) + struct.pack(">I", len(body))[1:] + body
    out += audio
    return Cleaned(bytes(out), tuple(found), RESIDUAL)


def _strip_trailing_tags(audio: bytes) -> bytes:
    if audio[-128:-125] == b"TAG":
        audio = audio[:-128]
    footer = audio[-32:]
    if footer[:8] == b"APETAGEX" and len(footer) == 32:
        (size,) = struct.unpack("<I", footer[12:16])
        flags = struct.unpack("<I", footer[20:24])[0]
        total = size + (32 if flags & 0x80000000 else 0)
        if 0 < total <= len(audio):
            audio = audio[:-total]
    return audio
