"""MP4, M4A, MOV and 3GP without ffmpeg: the file is rebuilt from a whitelist of boxes.

Output: the original ftyp, a new moov, then one mdat holding only the samples of the kept
tracks, chunk by chunk in their original order and byte for byte. Kept: video and sound tracks
with their timing and sample tables. Gone: udta/meta/keys/ilst (titles, ©xyz and loci
locations, make/model, dates, cover art), uuid boxes (XMP), chapter, subtitle, text, timecode
and timed-metadata tracks with their samples, track references, and every unreferenced byte of
the old mdat; creation/modification times become zero, handler names neutral, the compressor
name blank. Anything outside the whitelist (fragmented files, compact sample sizes, odd box
layouts) returns None so the caller can fall back to an ffmpeg remux.
"""

from __future__ import annotations

import struct
from array import array
from dataclasses import dataclass, field

from sealbox.scrub.avtags import classify
from sealbox.scrub.model import Finding

_TOP_DROP = {b"free", b"skip", b"wide", b"uuid", b"meta", b"pdin"}
_KEPT_HANDLERS = {b"vide": b"VideoHandler", b"soun": b"SoundHandler"}
# Inside each kept box, the children kept (anything else is dropped).
_STBL_KEEP = {
    b"stsd", b"stts", b"ctts", b"cslg", b"stss", b"stps", b"sdtp", b"stsc", b"stsz", b"sgpd",
    b"sbgp",
}  # fmt: skip
_XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")


class Unsupported(Exception):
    """The layout is outside what this module vouches for: use the remux instead."""


@dataclass
class _Track:
    handler: bytes
    chapter_ids: set[int] = field(default_factory=set)
    track_id: int = 0
    # The rebuilt trak in layers, innermost last: trak(pre + mdia(mdia + minf(minf + stbl(stbl
    # + chunk offsets)))). Offsets are filled in once the layout of the new file is known.
    pre: bytes = b""
    mdia: bytes = b""
    minf: bytes = b""
    stbl: bytes = b""
    chunks: list[tuple[int, int]] = field(default_factory=list)  # (old offset, length)

    def trak(self, offsets: list[int], large: bool) -> bytes:
        table = b"".join(struct.pack(">Q" if large else ">I", o) for o in offsets)
        co = _box(b"co64" if large else b"stco", struct.pack(">II", 0, len(offsets)) + table)
        stbl = _box(b"stbl", self.stbl + co)
        return _box(b"trak", self.pre + _box(b"mdia", self.mdia + _box(b"minf", self.minf + stbl)))


def _boxes(data: bytes | memoryview, start: int, end: int):
    """(type, body start, box end) for each box in [start, end)."""
    pos = start
    while pos < end:
        if pos + 8 > end:
            raise Unsupported("truncated box")
        size, kind = struct.unpack_from(">I4s", data, pos)
        head = 8
        if size == 1:
            if pos + 16 > end:
                raise Unsupported("truncated box")
            (size,) = struct.unpack_from(">Q", data, pos + 8)
            head = 16
        elif size == 0:
            size = end - pos
        if size < head or pos + size > end:
            raise Unsupported("box overruns its parent")
        yield kind, pos + head, pos + size
        pos += size


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


def _zero_times(kind: bytes, body: bytes) -> bytes:
    """mvhd/tkhd/mdhd with creation and modification times set to zero."""
    if not body:
        raise Unsupported("empty header")
    width = 8 if body[0] == 1 else 4
    if len(body) < 4 + 2 * width:
        raise Unsupported("short header")
    return body[:4] + b"\x00" * (2 * width) + body[4 + 2 * width :]


def _hdlr(body: bytes) -> bytes:
    handler = body[8:12]
    name = _KEPT_HANDLERS.get(handler, b"")
    return body[:24] + name + b"\x00"


def _stsd(data: bytes, start: int, end: int) -> bytes:
    """Sample descriptions, with the compressor name of video entries blanked."""
    body = bytearray(data[start:end])
    if len(body) < 8:
        raise Unsupported("short stsd")
    (count,) = struct.unpack_from(">I", body, 4)
    pos = 8
    for _ in range(count):
        if pos + 8 > len(body):
            raise Unsupported("short stsd")
        (size,) = struct.unpack_from(">I", body, pos)
        if size < 8 or pos + size > len(body):
            raise Unsupported("stsd entry overruns")
        if size >= 86 + 8 and _is_visual(bytes(body[pos + 4 : pos + 8])):
            body[pos + 50 : pos + 82] = bytes(32)
        pos += size
    return bytes(body)


def _is_visual(fourcc: bytes) -> bool:
    return fourcc in {
        b"avc1", b"avc3", b"hvc1", b"hev1", b"mp4v", b"av01", b"vp09", b"vp08", b"jpeg",
        b"mjpa", b"mjpb", b"apch", b"apcn", b"apcs", b"apco", b"ap4h", b"ap4x", b"s263",
        b"dvh1", b"dvhe",
    }  # fmt: skip


def _u32s(data: bytes, pos: int, count: int) -> array:
    table = array("I")
    table.frombytes(data[pos : pos + 4 * count])
    if len(table) != count:
        raise Unsupported("short table")
    if struct.pack("=I", 1) != struct.pack(">I", 1):
        table.byteswap()
    return table


def _chunks(data: bytes, tables: dict[bytes, tuple[int, int]]) -> list[tuple[int, int]]:
    """(offset, length) of every chunk, from stco/co64, stsc and stsz."""
    if b"stsz" not in tables or b"stsc" not in tables:
        raise Unsupported("no sample tables")
    if (b"stco" in tables) == (b"co64" in tables):
        raise Unsupported("chunk offsets")
    if b"stco" in tables:
        s, _ = tables[b"stco"]
        (n,) = struct.unpack_from(">I", data, s + 4)
        offsets = list(_u32s(data, s + 8, n))
    else:
        s, _ = tables[b"co64"]
        (n,) = struct.unpack_from(">I", data, s + 4)
        offsets = list(struct.unpack_from(f">{n}Q", data, s + 8))
    s, _ = tables[b"stsz"]
    size, count = struct.unpack_from(">II", data, s + 4)
    sizes = None if size else _u32s(data, s + 12, count)
    s, _ = tables[b"stsc"]
    (entries,) = struct.unpack_from(">I", data, s + 4)
    runs = _u32s(data, s + 8, 3 * entries)
    out, sample = [], 0
    for i in range(entries):
        first, per = runs[3 * i], runs[3 * i + 1]
        last = runs[3 * i + 3] - 1 if i + 1 < entries else len(offsets)
        if first < 1 or last > len(offsets) or (i + 1 < entries and last < first):
            raise Unsupported("stsc")
        for chunk in range(first, last + 1):
            if sizes is None:
                length = size * per
            else:
                length = sum(sizes[sample : sample + per])
                if sample + per > count:
                    raise Unsupported("stsc beyond stsz")
            out.append((offsets[chunk - 1], length))
            sample += per
    if sample != count or len(out) != len(offsets):
        raise Unsupported("sample count")
    return out


def _track(data: bytes, start: int, end: int, found: list[str]) -> _Track:
    kept: list[bytes] = []
    track = _Track(handler=b"")
    mdia = None
    for kind, s, e in _boxes(data, start, end):
        if kind == b"tkhd":
            body = data[s:e]
            width = 8 if body[:1] == b"\x01" else 4
            (track.track_id,) = struct.unpack_from(">I", body, 4 + 2 * width)
            if body[4 : 4 + 2 * width].strip(b"\x00"):
                found.append("date")
            kept.append(_box(kind, _zero_times(kind, body)))
        elif kind == b"edts":
            kept.append(_box(kind, data[s:e]))
        elif kind == b"mdia":
            if mdia is not None:
                raise Unsupported("two mdia")
            mdia = (s, e)
        elif kind == b"tref":
            for ref, rs, re_ in _boxes(data, s, e):
                if ref == b"chap":
                    track.chapter_ids.update(_u32s(data, rs, (re_ - rs) // 4))
        elif kind in (b"udta", b"meta"):
            found.extend(_tag_keys(data, s, e, kind))
    if mdia is None:
        raise Unsupported("no mdia")
    track.pre = b"".join(kept)
    _mdia(data, *mdia, track, found)
    return track


def _mdia(data: bytes, start: int, end: int, track: _Track, found: list[str]) -> None:
    out, minf = [], None
    for kind, s, e in _boxes(data, start, end):
        if kind == b"mdhd":
            if data[s + 4 : s + (20 if data[s] == 1 else 12)].strip(b"\x00"):
                found.append("date")
            out.append(_box(kind, _zero_times(kind, data[s:e])))
        elif kind == b"hdlr":
            track.handler = data[s + 8 : s + 12]
            out.append(_box(kind, _hdlr(data[s:e])))
        elif kind == b"minf":
            if minf is not None:
                raise Unsupported("two minf")
            minf = (s, e)
    if minf is None:
        raise Unsupported("no minf")
    track.mdia = b"".join(out)
    _minf(data, *minf, track)


_DINF = _box(
    b"dinf", _box(b"dref", b"\x00" * 4 + b"\x00\x00\x00\x01" + _box(b"url ", b"\x00\x00\x00\x01"))
)


def _minf(data: bytes, start: int, end: int, track: _Track) -> None:
    out, stbl = [], None
    for kind, s, e in _boxes(data, start, end):
        if kind in (b"vmhd", b"smhd"):
            out.append(_box(kind, data[s:e]))
        elif kind == b"dinf":
            out.append(_DINF)  # a fresh self-reference: dref URLs can name other files
        elif kind == b"stbl":
            if stbl is not None:
                raise Unsupported("two stbl")
            stbl = (s, e)
    if stbl is None:
        raise Unsupported("no stbl")
    track.minf = b"".join(out)
    _stbl(data, *stbl, track)


def _stbl(data: bytes, start: int, end: int, track: _Track) -> None:
    out, tables = [], {}
    for kind, s, e in _boxes(data, start, end):
        if kind in (b"stco", b"co64", b"stsc", b"stsz"):
            tables[kind] = (s, e)
        if kind == b"stsd":
            out.append(_box(kind, _stsd(data, s, e)))
        elif kind in _STBL_KEEP:
            out.append(_box(kind, data[s:e]))
        elif kind == b"stz2":
            raise Unsupported("compact sample sizes")
    if track.handler in _KEPT_HANDLERS:
        track.chunks = _chunks(data, tables)
    track.stbl = b"".join(out)


def _tag_keys(data: bytes, start: int, end: int, kind: bytes) -> list[str]:
    """Names of the tags in a udta or meta box, for the findings."""
    keys: list[str] = []
    try:
        if kind == b"meta":
            # ISO meta is a full box (4 bytes of version and flags first); QuickTime's is not.
            if data[start + 4 : start + 8] not in (b"hdlr", b"keys", b"ilst"):
                start += 4
            names: list[str] = []  # mdta keys: ilst items refer to them by index
            for child, s, e in _boxes(data, start, end):
                if child == b"keys":
                    for _, ks, ke in _boxes(data, s + 8, e):
                        names.append(data[ks:ke].decode("utf-8", "replace"))
                elif child == b"ilst":
                    for item, _, _ in _boxes(data, s, e):
                        index = int.from_bytes(item, "big")
                        if names and 1 <= index <= len(names):
                            keys.append(names[index - 1])
                        else:
                            keys.append(item.decode("latin-1"))
            return keys
        for child, s, e in _boxes(data, start, end):
            if child == b"meta":
                keys += _tag_keys(data, s, e, child)
            elif child not in (b"free", b"skip"):
                keys.append(child.decode("latin-1"))
    except (Unsupported, struct.error):
        keys.append("metadata")
    return keys


def rebuild(data: bytes) -> tuple[bytes, list[Finding]] | None:
    """A clean copy and what was removed, or None when only a remux should handle the file."""
    try:
        return _rebuild(data)
    except (Unsupported, struct.error, IndexError, ValueError):
        return None


def _rebuild(data: bytes) -> tuple[bytes, list[Finding]]:
    ftyp = moov = None
    mdats: list[tuple[int, int]] = []
    top: list[Finding] = []
    for kind, s, e in _boxes(data, 0, len(data)):
        if kind == b"ftyp" and ftyp is None:
            ftyp = data[s - 8 : e] if data[s - 8 : s - 4] != b"\x00\x00\x00\x01" else None
        elif kind == b"moov" and moov is None:
            moov = (s, e)
        elif kind == b"mdat":
            mdats.append((s, e))
        elif kind == b"uuid":
            top.append(Finding("xmp") if data[s : s + 16] == _XMP_UUID else Finding("metadata"))
        elif kind == b"meta":
            top.append(Finding("metadata"))
        elif kind not in _TOP_DROP:
            raise Unsupported(f"top-level {kind!r}")  # moof (fragments), a second moov, ...
    if ftyp is None or moov is None:
        raise Unsupported("no ftyp or moov")
    found: list[str] = []
    extra: list[Finding] = []
    head, tracks = [], []
    for kind, s, e in _boxes(data, *moov):
        if kind == b"mvhd":
            if data[s + 4 : s + (20 if data[s] == 1 else 12)].strip(b"\x00"):
                found.append("date")
            head.append(_box(kind, _zero_times(kind, data[s:e])))
        elif kind == b"trak":
            tracks.append(_track(data, s, e, found))
        elif kind in (b"udta", b"meta"):
            found.extend(_tag_keys(data, s, e, kind))
        elif kind in (b"mvex", b"cmov", b"rmra"):
            raise Unsupported(kind.decode("latin-1"))
    kept = [t for t in tracks if t.handler in _KEPT_HANDLERS]
    if not kept or len(head) != 1:
        raise Unsupported("no movie header, or no audio or video track")
    chapters = set().union(*(t.chapter_ids for t in tracks))
    dropped = [t for t in tracks if t.handler not in _KEPT_HANDLERS]
    if any(t.track_id in chapters for t in dropped) or "chpl" in found:
        extra.append(Finding("chapters"))
    others = [t for t in dropped if t.track_id not in chapters]
    if others:
        extra.append(Finding("data_tracks", len(others)))
    if "covr" in found:
        extra.append(Finding("cover_art"))
    found = [k for k in found if k not in ("covr", "chpl")]
    # Header times count once (they are one recording time); tagged dates count each.
    dates = min(found.count("date"), 1) + found.count("\xa9day")
    found = [k for k in found if k not in ("date", "\xa9day")]
    out = _assemble(data, ftyp, head, kept, mdats)
    findings = classify(found, skip_technical=False) + extra + top
    if dates:
        findings.append(Finding("dates", dates))
    return out, findings


def _assemble(
    data: bytes, ftyp: bytes, head: list[bytes], kept: list[_Track], mdats: list[tuple[int, int]]
) -> bytes:
    order = sorted(
        (off, length, ti, ci)
        for ti, t in enumerate(kept)
        for ci, (off, length) in enumerate(t.chunks)
    )
    for off, length, _, _ in order:
        if not any(s <= off and off + length <= e for s, e in mdats):
            raise Unsupported("chunk outside mdat")
    payload = sum(length for _, length, _, _ in order)
    if payload > sum(e - s for s, e in mdats):
        raise Unsupported("chunks overlap")  # would expand the file: not a normal layout
    large = payload + len(data) >= 1 << 32
    # Tables have a fixed width, so the moov's size is known before the offsets are.
    moov_size = 8 + sum(map(len, head))
    moov_size += sum(len(t.trak([0] * len(t.chunks), large)) for t in kept)
    pos = len(ftyp) + moov_size + (16 if large else 8)
    new_offsets: list[list[int]] = [[0] * len(t.chunks) for t in kept]
    for _, length, ti, ci in order:
        new_offsets[ti][ci] = pos
        pos += length
    traks = [t.trak(offsets, large) for t, offsets in zip(kept, new_offsets, strict=True)]
    moov = _box(b"moov", b"".join(head) + b"".join(traks))
    if len(moov) != moov_size:
        raise Unsupported("size bookkeeping")
    out = bytearray(ftyp)
    out += moov
    if large:
        out += struct.pack(">I4sQ", 1, b"mdat", 16 + payload)
    else:
        out += struct.pack(">I4s", 8 + payload, b"mdat")
    view = memoryview(data)
    for off, length, _, _ in order:
        out += view[off : off + length]
    return bytes(out)
