"""WAV cleaned in process: only the format and the samples stay, byte for byte."""

import struct

import mutagen.wave
import pytest
from mutagen.id3 import TXXX

from sealbox.scrub import Outcome, clean, remux, wav

from . import builders
from .avcheck import packets, probe
from .oracle import check_clean


@pytest.fixture(scope="module")
def tagged(tmp_path_factory):
    """RIFF INFO tags from ffmpeg, an ID3 chunk from mutagen, a bext chunk after the data."""
    path = tmp_path_factory.mktemp("wav") / "in.wav"
    builders.ffmpeg([*builders._lavfi(False), *builders._AV_META, "-c:a", "pcm_s16le"], path)
    audio = mutagen.wave.WAVE(path)
    audio.add_tags()
    audio.tags.add(TXXX(encoding=3, desc="where", text=[builders.marker("WAVID3")]))
    audio.save()
    bext = (
        builders.marker("BEXTDESC").encode().ljust(256, b"\x00")
        + builders.marker("ORIG").encode().ljust(32, b"\x00")
        + bytes(32)
        + b"2021-03-0405:06:07"
        + bytes(8 + 2 + 64 + 190)
    )
    data = path.read_bytes() + b"bext" + struct.pack("<I", len(bext)) + bext
    return data[:4] + struct.pack("<I", len(data) - 8) + data[8:]


def test_only_format_and_samples_stay(tagged, tmp_path, monkeypatch):
    monkeypatch.setattr(remux, "remux", lambda *a, **k: pytest.fail("should not remux"))
    result = clean(tagged)
    assert result.outcome is Outcome.CLEANED
    assert {"tags", "dates", "software"} <= {f.code for f in result.removed}
    check_clean(result.data, tmp_path, ".wav")
    assert (
        result.data[36:44]
        == b"data" + tagged[tagged.index(b"data") + 4 : tagged.index(b"data") + 8]
    )
    assert packets(result.data, tmp_path, ".wav") == packets(tagged, tmp_path, ".wav")
    assert probe(result.data, tmp_path, ".wav") == probe(tagged, tmp_path, ".wav")


def test_rf64_is_left_to_the_remux():
    assert wav.strip(b"RF64\xff\xff\xff\xffWAVEds64" + bytes(40)) is None
