"""MP3 cleaned in process: tags cut away, MPEG frames kept byte for byte, no ffmpeg needed."""

import io

import mutagen.mp3
import pytest

from sealbox.scrub import Outcome, clean, mp3, remux

from . import builders
from .avcheck import packets
from .oracle import check_clean


@pytest.fixture(scope="module")
def tagged(tmp_path_factory):
    """ID3v2 (title, artist, location, dates, encoder, TXXX, cover), APEv2 and ID3v1."""
    return builders.mp3(tmp_path_factory.mktemp("mp3"))


@pytest.fixture
def no_ffmpeg(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the native path should not call ffmpeg")

    monkeypatch.setattr(remux, "probe", refuse)
    monkeypatch.setattr(remux, "remux", refuse)


def test_every_tag_goes_and_the_frames_stay_byte_for_byte(tagged, tmp_path, no_ffmpeg):
    result = clean(tagged)
    assert result.outcome is Outcome.CLEANED
    codes = {f.code for f in result.removed}
    assert {"cover_art", "tags", "location", "dates", "software"} <= codes
    check_clean(result.data, tmp_path, ".mp3")
    out = mutagen.mp3.MP3(io.BytesIO(result.data))
    assert not out.tags
    before = mutagen.mp3.MP3(io.BytesIO(tagged))
    assert out.info.length == pytest.approx(before.info.length)
    # Every frame after the Info frame is the original, byte for byte.
    first = mp3._frame(result.data, 0)[0]
    original = tagged[tagged.index(result.data[first : first + 64]) :]
    assert original.startswith(result.data[first:])
    assert packets(result.data, tmp_path, ".mp3") == packets(tagged, tmp_path, ".mp3")


def test_encoder_name_in_the_lame_header_becomes_neutral(tagged, no_ffmpeg):
    assert b"Lavc" in tagged[:8192]
    cleaned = clean(tagged).data
    first = cleaned[: mp3._frame(cleaned, 0)[0]]
    assert b"Info" in first and b"Lavf\x00" in first and b"Lavc" not in first


def test_bytes_hidden_between_frames_are_dropped(tagged, tmp_path, no_ffmpeg):
    audio = mp3.strip(tagged)[0]
    cut = mp3._frame(audio, 0)[0]
    cut += mp3._frame(audio, cut)[0]
    hidden = audio[:cut] + builders.marker("HIDDEN").encode() + b"\xff\xfb\x00" + audio[cut:]
    result = clean(hidden)
    assert result.outcome is Outcome.CLEANED
    assert "unknown_blocks" in {f.code for f in result.removed}
    assert result.data == audio
    check_clean(result.data, tmp_path, ".mp3")


def test_cut_off_last_frame_is_dropped(tagged, no_ffmpeg):
    audio = mp3.strip(tagged)[0]
    result = clean(audio[:-50])
    assert result.outcome is Outcome.CLEANED
    assert audio.startswith(result.data) and len(result.data) < len(audio) - 50


def test_not_a_run_of_frames_falls_back_to_the_remux(monkeypatch):
    calls = []
    monkeypatch.setattr(remux, "probe", lambda data, kind: calls.append("probe") or {})
    monkeypatch.setattr(remux, "remux", lambda *a, **k: calls.append("remux") or b"remuxed")
    # A free-format frame header (bitrate index 0) is outside what the native path vouches for.
    result = clean(b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x00\x00" + bytes(400))
    assert calls == ["probe", "remux"] and result.data == b"remuxed"
