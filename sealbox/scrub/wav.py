"""WAV without ffmpeg: a new RIFF file holding only the format and the samples, byte for byte.

Kept: fmt, fact (needed by compressed formats) and data. Dropped: LIST/INFO tags, ID3 chunks,
bext (broadcast originator, dates, coding history), iXML/axml, XMP (_PMX), cue points and
anything else. RF64, streamed files with unknown sizes and odd layouts return None and the
caller falls back to an ffmpeg remux.
"""

from __future__ import annotations

import struct

from sealbox.scrub.avtags import classify
from sealbox.scrub.model import Finding

_KEEP = (b"fmt ", b"fact", b"data")
_INFO = {b"ICRD": "date", b"ISFT": "software", b"IENG": "encoded_by"}


def _chunks(data: bytes):
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    pos, end, out = 12, min(len(data), 8 + struct.unpack_from("<I", data, 4)[0]), []
    while pos + 8 <= end:
        kind, size = struct.unpack_from("<4sI", data, pos)
        if pos + 8 + size > len(data):
            return None
        out.append((kind, pos + 8, pos + 8 + size))
        pos += 8 + size + (size & 1)
    return out


def _info_keys(data: bytes, start: int, end: int) -> list[str]:
    if data[start : start + 4] != b"INFO":
        return ["list"]
    keys, pos = [], start + 4
    while pos + 8 <= end:
        kind, size = struct.unpack_from("<4sI", data, pos)
        keys.append(_INFO.get(kind, kind.decode("latin-1")))
        pos += 8 + size + (size & 1)
    return keys


def strip(data: bytes) -> tuple[bytes, list[Finding]] | None:
    """The format and sample chunks alone and what else was there, or None to use the remux."""
    chunks = _chunks(data)
    if not chunks:
        return None
    kinds = [k for k, _, _ in chunks]
    if kinds.count(b"fmt ") != 1 or kinds.count(b"data") != 1 or kinds.count(b"fact") > 1:
        return None
    keys: list[str] = []
    out_findings: list[Finding] = []
    unknown = 0
    body = bytearray()
    for kind, s, e in chunks:
        if kind in _KEEP:
            body += struct.pack("<4sI", kind, e - s) + data[s:e] + (b"\x00" if (e - s) & 1 else b"")
        elif kind == b"LIST":
            keys += _info_keys(data, s, e)
        elif kind in (b"id3 ", b"ID3 "):
            keys.append("id3")
        elif kind == b"bext":
            keys += ["encoded_by", "date"]  # originator, origination date and time, history
        elif kind == b"_PMX":
            out_findings.append(Finding("xmp"))
        elif kind in (b"iXML", b"axml", b"cue ", b"smpl", b"inst", b"plst", b"labl"):
            keys.append(kind.decode("latin-1").strip())
        elif kind not in (b"JUNK", b"PAD ", b"junk", b"pad "):
            unknown += 1
    if unknown:
        out_findings.append(Finding("unknown_blocks", unknown))
    out = b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + bytes(body)
    return out, classify(keys, skip_technical=False) + out_findings
