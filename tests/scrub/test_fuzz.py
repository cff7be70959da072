"""Mutated inputs for every cleaner: no exception ever escapes clean_isolated."""

from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sealbox.scrub import CleanOptions, CleanResult, Outcome, WorkerLimits, clean, clean_isolated

from . import builders

LIMITS = WorkerLimits(memory_bytes=1024**3, cpu_seconds=10, wall_seconds=20)
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


@cache
def seeds() -> tuple[bytes, ...]:
    return (
        builders.jpeg((16, 12)),
        builders.png((16, 12)),
        builders.gif((16, 12)),
        builders.webp((16, 12)),
        builders.pdf(pages=1),
        builders.docx(),
        builders.odt(),
        builders.write_zip([("a.txt", b"hello"), ("b.jpg", builders.jpeg((8, 8)))]),
        b"<html><head><title>t</title></head><body>x</body></html>",
    )


@st.composite
def mutated(draw):
    data = bytearray(draw(st.sampled_from(seeds())))
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "cut", "insert"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] ^= draw(st.integers(1, 255))
        elif op == "cut":
            del data[pos : pos + draw(st.integers(1, 64))]
        else:
            data[pos:pos] = draw(st.binary(min_size=1, max_size=32))
    return bytes(data)


def _sane(result: CleanResult) -> None:
    assert isinstance(result, CleanResult)
    if result.outcome is Outcome.CANNOT_CLEAN:
        assert result.data is None and result.reason is not None
        assert result.reason.text()
    else:
        assert result.data is not None


@FUZZ
@given(mutated())
def test_mutated_files_never_raise_in_process(data):
    _sane(clean(data))


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated())
def test_mutated_files_never_raise_across_the_worker(data):
    _sane(clean_isolated(data, CleanOptions(), LIMITS))


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes_never_raise(data):
    _sane(clean(data))


@cache
def av_seeds() -> tuple[bytes, ...]:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp)
        opus = builders.ffmpeg(
            [*builders._lavfi(False, 0.3), *builders._AV_META, "-c:a", "libopus"], path / "a.ogg"
        )
        wav = builders.ffmpeg(
            [*builders._lavfi(False, 0.1), *builders._AV_META, "-c:a", "pcm_s16le"], path / "a.wav"
        )
        return (builders.mp3(path), builders.m4a(path), opus, wav)


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_native_audio_paths_never_raise_on_mutated_files(data):
    from sealbox.scrub import isobmff, mp3, ogg, wav

    source = bytearray(data.draw(st.sampled_from(av_seeds())))
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(0, len(source) - 1))
        if data.draw(st.booleans()):
            source[pos] ^= data.draw(st.integers(1, 255))
        else:
            del source[pos : pos + data.draw(st.integers(1, 300))]
    for strip in (mp3.strip, isobmff.rebuild, wav.strip, ogg.strip):
        out = strip(bytes(source))
        assert out is None or isinstance(out[0], bytes)
