from sealbox.scrub import Outcome, clean

from . import mat2_corpus
from .oracle import markers


def test_only_trackers_and_the_info_dictionary_stay():
    data = mat2_corpus.torrent(None)
    result = clean(data)
    assert result.outcome is Outcome.CLEANED
    assert markers(result.data) == set() and b"mktorrent" not in result.data
    info = data[data.index(b"4:info") :]
    assert result.data.endswith(info)  # byte for byte: the torrent's info hash is unchanged
    assert {"software", "dates", "comments"} <= {f.code for f in result.removed}


def test_a_cut_torrent_is_damaged():
    data = mat2_corpus.torrent(None)
    assert clean(data[:-3]).outcome is Outcome.CANNOT_CLEAN
