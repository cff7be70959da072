"""What a listener or viewer would notice: same streams, same packets, same length."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path


def packets(data: bytes, tmp: Path, suffix: str) -> list[tuple[str, ...]]:
    """(stream, duration, size, checksum) of every audio and video packet (ffmpeg's framemd5,
    no decoding). Start times are left out: a container may shift them by microseconds."""
    path = tmp / f"packets{suffix}"
    path.write_bytes(data)
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:V?", "-map", "0:a?", "-c", "copy"]
        + ["-f", "framemd5", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [line.split(",") for line in out.splitlines() if not line.startswith("#")]
    return [(r[0].strip(), r[3].strip(), r[4].strip(), r[5].strip()) for r in rows]


def probe(data: bytes, tmp: Path, suffix: str) -> tuple[list[str], float]:
    """(stream kinds, duration in seconds) as ffprobe sees them; cover pictures left out."""
    path = tmp / f"probe{suffix}"
    path.write_bytes(data)
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", "-show_entries"]
        + ["stream=codec_type:stream_disposition=attached_pic:format=duration", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    info = json.loads(out)
    kinds = [
        s["codec_type"] for s in info["streams"] if not s.get("disposition", {}).get("attached_pic")
    ]
    return kinds, float(info["format"]["duration"])
