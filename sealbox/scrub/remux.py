"""ffmpeg plumbing for audio and video: probe and remux without re-encoding, in memory only.

The input and output live in memfd files (memory, never disk), handed to ffmpeg as /dev/fd/N
so it can seek, which MP4 and friends need.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator

from sealbox.scrub.avtags import classify
from sealbox.scrub.errors import CannotClean
from sealbox.scrub.model import Finding

TIMEOUT = 90


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CannotClean("no_tool", name)
    return path


@contextlib.contextmanager
def memfile(data: bytes = b"", name: str = "sealbox") -> Iterator[int]:
    """A file descriptor for an anonymous in-memory file holding `data`."""
    fd = os.memfd_create(name, 0)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.lseek(fd, 0, os.SEEK_SET)
        yield fd
    finally:
        os.close(fd)


def _read_all(fd: int) -> bytes:
    size = os.fstat(fd).st_size
    chunks, pos = [], 0
    while pos < size:
        chunk = os.pread(fd, min(1 << 24, size - pos), pos)
        if not chunk:
            break
        chunks.append(chunk)
        pos += len(chunk)
    return b"".join(chunks)


def probe(data: bytes, kind: str) -> dict:
    """ffprobe's view of the file: format, streams, chapters."""
    exe = tool("ffprobe")
    with memfile(data, "probe-in") as fd:
        cmd = [
            exe,
            "-v",
            "error",
            "-show_format",
            "-show_streams",
            "-show_chapters",
            "-of",
            "json",
            f"/dev/fd/{fd}",
        ]
        try:
            proc = subprocess.run(
                cmd, pass_fds=(fd,), capture_output=True, timeout=TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise CannotClean("timeout") from exc
    if proc.returncode != 0:
        raise CannotClean("damaged", kind)
    try:
        info = json.loads(proc.stdout)
    except ValueError as exc:
        raise CannotClean("damaged", kind) from exc
    if not info.get("streams"):
        raise CannotClean("damaged", kind)
    return info


def findings(info: dict) -> list[Finding]:
    """What ffprobe shows beyond the audio and video themselves."""
    out: list[Finding] = []
    tags: dict[str, str] = dict(info.get("format", {}).get("tags", {}) or {})
    data_tracks = 0
    for stream in info.get("streams", []):
        disposition = stream.get("disposition", {}) or {}
        if disposition.get("attached_pic"):
            out.append(Finding("cover_art"))
            continue
        if stream.get("codec_type") not in ("audio", "video"):
            data_tracks += 1
        for key, value in (stream.get("tags", {}) or {}).items():
            tags.setdefault(f"stream:{key}", value)
    keys = []
    for raw_key, value in tags.items():
        key = raw_key.removeprefix("stream:").lower()
        if not str(value).strip():
            continue
        if key == "creation_time" and str(value).startswith(("1970-01-01", "1904-01-01")):
            continue
        keys.append(key)
    out += classify(keys)
    if data_tracks:
        out.append(Finding("data_tracks", data_tracks))
    if info.get("chapters"):
        out.append(Finding("chapters"))
    return out


def remux(data: bytes, kind: str, fmt: str, video: bool, extra: tuple[str, ...] = ()) -> bytes:
    """Copy only the audio (and video) streams into a fresh container with no metadata."""
    exe = tool("ffmpeg")
    maps = ["-map", "0:V?", "-map", "0:a?"] if video else ["-map", "0:a"]
    with memfile(data, "remux-in") as fd_in, memfile(b"", "remux-out") as fd_out:
        cmd = [
            exe,
            "-nostdin",
            "-hide_banner",
            "-loglevel",
            "error",
            "-threads",
            "1",
            "-i",
            f"/dev/fd/{fd_in}",
            *maps,
            "-c",
            "copy",
            "-dn",
            "-sn",
            "-map_metadata",
            "-1",
            "-map_metadata:s",
            "-1",
            "-map_chapters",
            "-1",
            "-fflags",
            "+bitexact",
            "-flags:v",
            "+bitexact",
            "-flags:a",
            "+bitexact",
            *extra,
            "-f",
            fmt,
            "-y",
            f"/dev/fd/{fd_out}",
        ]
        try:
            proc = subprocess.run(
                cmd, pass_fds=(fd_in, fd_out), capture_output=True, timeout=TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise CannotClean("timeout") from exc
        if proc.returncode != 0:
            raise CannotClean("damaged", kind)
        out = _read_all(fd_out)
    if not out:
        raise CannotClean("damaged", kind)
    return out
