import subprocess

import pytest

from sealbox.scrub import Outcome, clean

from . import builders
from .oracle import check_clean


def streams(path):
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type:format=duration",
            "-of",
            "csv=p=0",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


@pytest.mark.parametrize("container", ["mp4", "mov", "mkv", "webm"])
def test_video_keeps_audio_and_video_only(container, tmp_path):
    data = builders.mp4(tmp_path, container)
    result = clean(data)
    assert result.outcome is Outcome.CLEANED, result.reason
    codes = {f.code for f in result.removed}
    assert {"location", "tags", "data_tracks", "chapters"} <= codes
    check_clean(result.data, tmp_path, f".{container}")
    path = tmp_path / f"cleaned.{container}"
    kinds = streams(path)
    assert sorted(k for k in kinds if k in ("video", "audio", "subtitle", "data")) == [
        "audio",
        "video",
    ]
    assert abs(float(kinds[-1]) - 1.0) < 0.15
