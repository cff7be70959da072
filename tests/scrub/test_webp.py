import io

from PIL import Image

from sealbox.scrub import Outcome, clean

from . import builders
from .oracle import check_clean


def test_lossless_webp_keeps_pixels_and_drops_exif_xmp_icc(tmp_path):
    data = builders.webp()
    result = clean(data)
    assert result.outcome is Outcome.CLEANED
    assert {"gps", "xmp", "icc"} <= {f.code for f in result.removed}
    check_clean(result.data, tmp_path, ".webp")
    before, after = Image.open(io.BytesIO(data)), Image.open(io.BytesIO(result.data))
    assert after.size == before.size and after.tobytes() == before.tobytes()


def test_lossy_webp_is_byte_identical_in_its_image_chunk():
    data = builders.webp(lossless=False)
    result = clean(data)
    start = data.index(b"VP8 ")
    assert data[start : start + 200] in result.data
    assert Image.open(io.BytesIO(result.data)).tobytes() == Image.open(io.BytesIO(data)).tobytes()
