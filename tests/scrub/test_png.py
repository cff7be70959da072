import io

from PIL import Image

from sealbox.scrub import Outcome, clean

from . import builders
from .oracle import check_clean


def test_png_keeps_only_pixel_chunks(tmp_path):
    data = builders.png()
    result = clean(data)
    assert result.outcome is Outcome.CLEANED
    codes = {f.code for f in result.removed}
    assert {"text_notes", "gps", "icc", "trailing_data"} <= codes
    check_clean(result.data, tmp_path, ".png")
    before, after = Image.open(io.BytesIO(data)), Image.open(io.BytesIO(result.data))
    assert (after.size, after.mode) == (before.size, before.mode)
    assert after.tobytes() == before.tobytes()
    assert after.getexif().get(0x0112) == 6


def test_palette_png_with_transparency_is_identical():
    out = io.BytesIO()
    image = builders.pixels((20, 20)).convert("P")
    image.save(out, "PNG", transparency=0)
    result = clean(out.getvalue())
    assert result.outcome is Outcome.NOTHING_TO_REMOVE
    after = Image.open(io.BytesIO(result.data))
    assert after.tobytes() == image.tobytes() and after.info.get("transparency") == 0


def test_bad_crc_is_damaged():
    data = bytearray(builders.png())
    data[20] ^= 0xFF
    result = clean(bytes(data))
    assert result.outcome is Outcome.CANNOT_CLEAN and result.reason.code == "damaged"
