"""Ogg Vorbis and Opus cleaned in process: an empty comment header, every audio page kept."""

import base64
import io

import mutagen
import pytest
from mutagen.flac import Picture

from sealbox.scrub import Outcome, clean, ogg, remux

from . import builders
from .avcheck import packets, probe
from .oracle import check_clean


def _tagged(tmp, codec):
    path = tmp / f"in.{codec}.ogg"
    builders.ffmpeg(
        [*builders._lavfi(False), *builders._AV_META, "-c:a", f"lib{codec}", "-f", "ogg"], path
    )
    audio = mutagen.File(path)
    audio["LOCATION"] = [builders.marker("OGGLOC")]
    audio["ARTIST"] = [builders.marker("OGGARTIST")]
    audio["DATE"] = ["2021-03-04"]
    picture = Picture()
    picture.type, picture.mime = 3, "image/jpeg"
    picture.data = builders.jpeg((320, 240))  # large enough to spread over several pages
    audio["METADATA_BLOCK_PICTURE"] = [base64.b64encode(picture.write()).decode()]
    audio.save()
    return path.read_bytes()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ogg")
    return {codec: _tagged(tmp, codec) for codec in ("vorbis", "opus")}


@pytest.mark.parametrize("codec", ["vorbis", "opus"])
def test_comments_and_pictures_go_and_audio_pages_stay(codec, files, tmp_path, monkeypatch):
    monkeypatch.setattr(remux, "remux", lambda *a, **k: pytest.fail("should not remux"))
    data = files[codec]
    result = clean(data)
    assert result.outcome is Outcome.CLEANED
    assert {"cover_art", "location", "dates", "tags", "software"} <= {
        f.code for f in result.removed
    }
    check_clean(result.data, tmp_path, ".ogg")
    assert not mutagen.File(io.BytesIO(result.data)).tags
    assert packets(result.data, tmp_path, ".ogg") == packets(data, tmp_path, ".ogg")
    assert probe(result.data, tmp_path, ".ogg") == probe(data, tmp_path, ".ogg")
    assert len(result.data) < len(data) - 10_000  # the picture's pages are gone


def test_page_checksum_matches_libogg(files):
    page = files["opus"][: ogg._pages(files["opus"])[0][1]]
    stored = int.from_bytes(page[22:26], "little")
    assert ogg.crc(page[:22] + bytes(4) + page[26:]) == stored


def test_other_ogg_streams_are_left_to_the_remux(files):
    assert ogg.strip(files["opus"] + b"junk!") is None
    assert ogg.strip(b"OggS" + bytes(30)) is None
