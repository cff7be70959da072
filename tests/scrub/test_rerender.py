import io

import pillow_heif
from PIL import Image

from sealbox.scrub import Outcome, clean

from . import builders
from .oracle import check_clean


def test_tiff_is_rerendered_upright_without_tags(tmp_path):
    result = clean(builders.tiff())
    assert result.outcome is Outcome.CLEANED
    assert "gps" in {f.code for f in result.removed}
    check_clean(result.data, tmp_path, ".tif")
    after = Image.open(io.BytesIO(result.data))
    upright = builders.pixels().transpose(Image.Transpose.ROTATE_270)
    assert after.size == upright.size and after.convert("RGB").tobytes() == upright.tobytes()


def test_heif_is_rerendered_without_gps(tmp_path):
    pillow_heif.register_heif_opener()
    result = clean(builders.heif())
    assert result.outcome is Outcome.CLEANED, result.reason
    assert result.kind == "image/heif"
    assert "gps" in {f.code for f in result.removed}
    assert "lossy_rerender" in {n.code for n in result.residual}
    check_clean(result.data, tmp_path, ".heic")
    assert Image.open(io.BytesIO(result.data)).size == (48, 64)
