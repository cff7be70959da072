"""Video (MP4, MOV, 3GP, MKV, WebM, AVI, WMV/ASF). MP4, MOV and 3GP are rebuilt from their boxes in
process (see `isobmff`); the rest, and whatever that rebuild cannot vouch for, are remuxed by
ffmpeg without re-encoding.

Either way only video and audio streams are kept (timed GPS, data and subtitle tracks, cover
pictures and chapters are dropped); global and per-stream metadata go; container dates become
zero.
"""

from __future__ import annotations

from sealbox.scrub import isobmff, remux
from sealbox.scrub.cleaner import Cleaned, Context
from sealbox.scrub.model import Finding, Notice

_FORMATS = {
    "video/mp4": ("mp4", ()),
    "video/3gpp": ("mp4", ()),
    "video/quicktime": ("mov", ()),
    "video/x-matroska": ("matroska", ()),
    "video/webm": ("webm", ()),
    "video/x-msvideo": ("avi", ()),
    "video/x-ms-asf": ("asf", ()),
}
RESIDUAL = (Notice("av_content"),)


def _kind(data: bytes) -> str:
    from sealbox.scrub.detect import detect

    return detect(data)


_NATIVE = {"video/mp4", "video/quicktime", "video/3gpp"}


def inspect(data: bytes, ctx: Context) -> tuple[Finding, ...]:
    """Tags, locations, dates, extra tracks and chapters."""
    kind = _kind(data)
    native = isobmff.rebuild(data) if kind in _NATIVE else None
    if native is not None:
        return tuple(native[1])
    return tuple(remux.findings(remux.probe(data, kind)))


def clean(data: bytes, ctx: Context) -> Cleaned:
    """A copy with only the audio and video streams."""
    kind = _kind(data)
    native = isobmff.rebuild(data) if kind in _NATIVE else None
    if native is not None:
        return Cleaned(native[0], tuple(native[1]), RESIDUAL)
    found = remux.findings(remux.probe(data, kind))
    fmt, extra = _FORMATS[kind]
    out = remux.remux(data, kind, fmt, video=True, extra=extra)
    return Cleaned(out, tuple(found), RESIDUAL)
