import io
import subprocess

import mutagen
import pytest

from sealbox.scrub import Outcome, clean

from . import builders
from .oracle import check_clean


def duration(data, tmp_path, suffix):
    path = tmp_path / f"d{suffix}"
    path.write_bytes(data)
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout)


@pytest.mark.parametrize("name,suffix", [("mp3", ".mp3"), ("flac", ".flac"), ("m4a", ".m4a")])
def test_audio_loses_every_tag_and_picture_and_keeps_its_length(name, suffix, tmp_path):
    data = getattr(builders, name)(tmp_path)
    result = clean(data)
    assert result.outcome is Outcome.CLEANED, result.reason
    codes = {f.code for f in result.removed}
    assert "cover_art" in codes and "tags" in codes
    check_clean(result.data, tmp_path, suffix)
    assert abs(duration(result.data, tmp_path, suffix) - duration(data, tmp_path, suffix)) < 0.1
    tags = mutagen.File(io.BytesIO(result.data)).tags
    assert not tags
    assert "av_content" in {n.code for n in result.residual}


def test_flac_audio_frames_are_byte_identical(tmp_path):
    data = builders.flac(tmp_path)
    result = clean(data)
    frames_start = result.data.index(b"\xff\xf8")
    assert result.data[frames_start:] in data
