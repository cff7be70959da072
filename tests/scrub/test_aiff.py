from sealbox.scrub import Outcome, clean

from . import mat2_corpus
from .oracle import check_clean


def test_texts_go_and_the_samples_stay_byte_for_byte(tmp_path):
    data = mat2_corpus.aiff(tmp_path)
    result = clean(data)
    assert result.outcome is Outcome.CLEANED
    check_clean(result.data, tmp_path, ".aiff")
    samples = data[data.index(b"SSND") :]
    assert samples in result.data
