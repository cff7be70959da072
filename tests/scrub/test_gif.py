import io

from PIL import Image, ImageSequence

from sealbox.scrub import Outcome, clean

from . import builders
from .oracle import check_clean


def frames(data):
    return [
        f.convert("RGBA").tobytes() for f in ImageSequence.Iterator(Image.open(io.BytesIO(data)))
    ]


def test_animated_gif_keeps_frames_and_loop_but_not_comments_or_xmp(tmp_path):
    data = builders.gif()
    result = clean(data)
    assert result.outcome is Outcome.CLEANED
    assert {"comments", "xmp", "trailing_data"} <= {f.code for f in result.removed}
    check_clean(result.data, tmp_path, ".gif")
    assert frames(result.data) == frames(data)
    assert Image.open(io.BytesIO(result.data)).info.get("loop") == 0
