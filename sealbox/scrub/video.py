"""Video (MP4, MOV, 3GP, MKV, WebM, AVI): remuxed by ffmpeg without re-encoding.

Only video and audio streams are kept (timed GPS, data and subtitle tracks, cover pictures
and chapters are dropped); global and per-stream metadata go; container dates become zero.
"""

from __future__ import annotations

from sealbox.scrub import remux
from sealbox.scrub.cleaner import Cleaned, Context
from sealbox.scrub.model import Finding, Notice

kinds = (
    "video/mp4",
    "video/quicktime",
    "video/3gpp",
    "video/x-matroska",
    "video/webm",
    "video/x-msvideo",
)
_FORMATS = {
    "video/mp4": ("mp4", ()),
    "video/3gpp": ("mp4", ()),
    "video/quicktime": ("mov", ()),
    "video/x-matroska": ("matroska", ()),
    "video/webm": ("webm", ()),
    "video/x-msvideo": ("avi", ()),
}
RESIDUAL = (Notice("av_content"),)


def _kind(data: bytes) -> str:
    from sealbox.scrub.detect import detect

    return detect(data)


def inspect(data: bytes, ctx: Context) -> tuple[Finding, ...]:
    """Tags, locations, dates, extra tracks and chapters that ffprobe sees."""
    return tuple(remux.findings(remux.probe(data, _kind(data))))


def clean(data: bytes, ctx: Context) -> Cleaned:
    """A remuxed copy with only the audio and video streams."""
    kind = _kind(data)
    found = remux.findings(remux.probe(data, kind))
    fmt, extra = _FORMATS[kind]
    out = remux.remux(data, kind, fmt, video=True, extra=extra)
    return Cleaned(out, tuple(found), RESIDUAL)
