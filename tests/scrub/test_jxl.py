import shutil

import pytest

from sealbox.scrub import Outcome, clean

from . import mat2_corpus
from .oracle import check_clean

pytestmark = pytest.mark.skipif(
    shutil.which("cjxl") is None, reason="cjxl (Debian libjxl-tools) makes the test picture"
)


def test_exif_and_xmp_boxes_go_and_the_codestream_stays(tmp_path):
    data = mat2_corpus.jxl(tmp_path)
    result = clean(data)
    assert result.outcome is Outcome.CLEANED
    assert result.removed
    check_clean(result.data, tmp_path, ".jxl")
    assert b"jxlc" in result.data or b"jxlp" in result.data
