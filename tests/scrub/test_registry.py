"""One registry: every format it names is detected as that type, cleaned by the module it names,
and preloaded by the worker; nothing is registered twice or left out."""

import importlib

import pytest

from sealbox.scrub import Outcome, clean, zygote
from sealbox.scrub.detect import detect
from sealbox.scrub.registry import FORMATS, PACKAGE, modules, supported_kinds

from . import builders, mat2_corpus

_OOXML = "application/vnd.openxmlformats-officedocument"
_ODF = "application/vnd.oasis.opendocument"


def _av(args, suffix):
    return lambda tmp: builders.ffmpeg(["-t", "0.5", *args], tmp / f"sample{suffix}")


_SINE = ["-f", "lavfi", "-i", "sine=duration=0.5"]
_CLIP = [*_SINE, "-f", "lavfi", "-i", "testsrc=size=32x24:rate=5:duration=0.5"]
# One made-up file of every type, each built here with a planted marker where it can hold one.
SAMPLES = {
    "image/jpeg": lambda tmp: builders.jpeg(),
    "image/png": lambda tmp: builders.png(),
    "image/webp": lambda tmp: builders.webp(),
    "image/gif": lambda tmp: builders.gif(),
    "image/tiff": lambda tmp: builders.tiff(),
    "image/heif": lambda tmp: builders.heif(),
    "application/pdf": lambda tmp: builders.pdf(),
    f"{_OOXML}.wordprocessingml.document": lambda tmp: builders.docx(),
    f"{_OOXML}.spreadsheetml.sheet": lambda tmp: builders.xlsx(),
    f"{_OOXML}.presentationml.presentation": lambda tmp: builders.pptx(),
    f"{_ODF}.text": lambda tmp: builders.odt(),
    f"{_ODF}.spreadsheet": lambda tmp: builders.ods(),
    f"{_ODF}.presentation": lambda tmp: builders.odp(),
    f"{_ODF}.graphics": lambda tmp: builders.odg(),
    "application/zip": lambda tmp: builders.write_zip([("a.jpg", builders.jpeg())]),
    "audio/flac": builders.flac,
    "audio/mpeg": builders.mp3,
    "audio/ogg": _av([*_SINE, "-c:a", "libvorbis"], ".ogg"),
    "audio/wav": _av(_SINE, ".wav"),
    "audio/mp4": builders.m4a,
    "video/mp4": lambda tmp: builders.mp4(tmp, "mp4"),
    "video/quicktime": lambda tmp: builders.mp4(tmp, "mov"),
    "video/3gpp": _av(
        [*_CLIP, "-c:v", "h263", "-s", "176x144", "-ar", "8000", "-ac", "1", "-c:a", "aac"], ".3gp"
    ),
    "video/x-matroska": lambda tmp: builders.mp4(tmp, "mkv"),
    "video/webm": lambda tmp: builders.mp4(tmp, "webm"),
    "video/x-msvideo": _av([*_CLIP, "-c:v", "mpeg4"], ".avi"),
    "image/avif": mat2_corpus.avif,
    "image/bmp": mat2_corpus.bmp,
    "image/x-portable-anymap": mat2_corpus.ppm,
    "image/jxl": mat2_corpus.jxl,
    "image/svg+xml": mat2_corpus.svg,
    f"{_ODF}.formula": mat2_corpus.odf_formula,
    f"{_ODF}.chart": lambda tmp: builders.odt(f"{_ODF}.chart"),
    f"{_ODF}.image": lambda tmp: builders.odt(f"{_ODF}.image"),
    "application/epub+zip": mat2_corpus.epub,
    "audio/aiff": mat2_corpus.aiff,
    "video/x-ms-asf": _av([*_CLIP, "-c:v", "wmv2", "-c:a", "wmav2"], ".wmv"),
    "text/css": lambda tmp: mat2_corpus.CSS.encode(),
    "application/x-bittorrent": mat2_corpus.torrent,
    "text/plain": lambda tmp: b"plain words\n",
    "text/html": lambda tmp: b"<html><head><title>t</title></head><body>w</body></html>",
}


def test_every_registered_type_has_a_sample_and_no_type_is_registered_twice():
    kinds = [f.kind for f in FORMATS]
    assert len(kinds) == len(set(kinds))
    assert set(SAMPLES) == supported_kinds()


def test_every_module_named_is_a_cleaner():
    for name in modules():
        module = importlib.import_module(name)
        assert callable(module.clean) and callable(module.inspect), name
        assert not hasattr(module, "kinds"), f"{name} lists its types beside the registry"


def test_the_worker_preloads_exactly_the_registry():
    assert zygote.preload() == (f"{PACKAGE}.registry", *modules())
    assert set(modules()) == {f"{PACKAGE}.{f.module}" for f in FORMATS}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_each_sample_is_detected_as_its_type_and_cleaned(kind, tmp_path):
    data = SAMPLES[kind](tmp_path)
    assert detect(data) == kind
    result = clean(data)
    assert result.outcome is not Outcome.CANNOT_CLEAN, result.reason
    assert result.kind == kind
