"""MP4, MOV and M4A rebuilt in process: only the audio and video samples and their tables stay."""

import struct

import mutagen.mp4
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sealbox.scrub import Outcome, clean, isobmff, remux

from . import builders
from .avcheck import packets, probe
from .oracle import check_clean, exiftool


def _camera_clip(tmp, container):
    """A clip as a phone or camera leaves it: ©xyz location, make/model, dates, software,
    a cover picture, a subtitle track and chapters."""
    base = builders.mp4(tmp, container)
    path = tmp / f"camera.{container}"
    path.write_bytes(base)
    tagged = mutagen.mp4.MP4(path)
    tagged["\xa9xyz"] = ["+52.5200+013.4050/"]
    tagged["\xa9mak"] = [builders.marker("ILSTMAKE")]
    tagged["\xa9mod"] = [builders.marker("ILSTMODEL")]
    tagged["\xa9day"] = ["2021-03-04T05:06:07Z"]
    tagged["\xa9too"] = [builders.marker("TOOL")]
    tagged["covr"] = [mutagen.mp4.MP4Cover(builders.jpeg((16, 12)))]
    tagged.save()
    return path.read_bytes()


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("isobmff")
    return {
        "mp4": _camera_clip(tmp, "mp4"),
        "mov": builders.mp4(tmp, "mov"),
        "m4a": builders.m4a(tmp),
    }


@pytest.fixture
def no_ffmpeg(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the native path should not call ffmpeg")

    monkeypatch.setattr(remux, "probe", refuse)
    monkeypatch.setattr(remux, "remux", refuse)


@pytest.mark.parametrize("name", ["mp4", "mov", "m4a"])
def test_rebuilt_file_keeps_every_sample_and_nothing_else(name, clips, tmp_path, no_ffmpeg):
    data = clips[name]
    result = clean(data)
    assert result.outcome is Outcome.CLEANED
    check_clean(result.data, tmp_path, f".{name}")
    kinds, duration = probe(result.data, tmp_path, f".{name}")
    before_kinds, before_duration = probe(data, tmp_path, f".{name}")
    assert kinds == [k for k in before_kinds if k in ("video", "audio")]
    assert duration == pytest.approx(before_duration, abs=0.05)
    assert packets(result.data, tmp_path, f".{name}") == packets(data, tmp_path, f".{name}")
    tags = exiftool(tmp_path / f"cleaned.{name}")
    assert tags["QuickTime:CreateDate"] == "0000:00:00 00:00:00"
    assert not mutagen.mp4.MP4(tmp_path / f"cleaned.{name}").tags


def test_camera_clip_findings(clips, no_ffmpeg):
    codes = {f.code for f in clean(clips["mp4"]).removed}
    assert {"location", "camera", "dates", "software", "tags", "cover_art"} <= codes
    assert {"chapters", "data_tracks"} <= codes


def test_m4a_findings(clips, no_ffmpeg):
    codes = {f.code for f in clean(clips["m4a"]).removed}
    assert {"location", "dates", "tags", "cover_art"} <= codes


def test_samples_of_dropped_tracks_do_not_survive(clips, no_ffmpeg):
    data = clips["mp4"]
    assert builders.marker("SUBTITLE").encode() in data
    out = clean(data).data
    assert builders.marker("SUBTITLE").encode() not in out
    assert builders.marker("CHAPTER").encode() not in out


def test_fragmented_mp4_goes_through_the_remux(tmp_path):
    frag = builders.ffmpeg(
        [*builders._lavfi(True), *builders._AV_META, "-map", "1:v", "-map", "0:a"]
        + ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"]
        + ["-movflags", "frag_keyframe+empty_moov", "-f", "mp4"],
        tmp_path / "frag.mp4",
    )
    assert isobmff.rebuild(frag) is None
    result = clean(frag)
    assert result.outcome is Outcome.CLEANED
    check_clean(result.data, tmp_path, ".mp4")


def test_chunk_offsets_outside_the_data_are_refused(clips):
    data = bytearray(clips["m4a"])
    at = data.index(b"stco")
    struct.pack_into(">I", data, at + 12, len(data) + 1000)
    assert isobmff.rebuild(bytes(data)) is None


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_mutated_boxes_never_raise(clips, data):
    source = bytearray(clips[data.draw(st.sampled_from(["mp4", "m4a"]))])
    for _ in range(data.draw(st.integers(1, 6))):
        pos = data.draw(st.integers(0, len(source) - 1))
        source[pos] ^= data.draw(st.integers(1, 255))
    out = isobmff.rebuild(bytes(source))
    assert out is None or isinstance(out[0], bytes)


def test_xmp_in_a_top_level_uuid_box_goes(clips, tmp_path, no_ffmpeg):
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/">{builders.marker("XMPUUID")}</x:xmpmeta>'.encode()
    uuid = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")
    data = clips["m4a"] + struct.pack(">I4s", 24 + len(xmp), b"uuid") + uuid + xmp
    result = clean(data)
    assert "xmp" in {f.code for f in result.removed}
    check_clean(result.data, tmp_path, ".m4a")
