import io

from PIL import Image

from sealbox.scrub import CleanOptions, Outcome, clean
from sealbox.scrub import jpeg as jpeg_cleaner

from . import builders
from .oracle import check_clean, markers


def codes(result):
    return {f.code for f in result.removed}


def test_jpeg_loses_every_identifying_segment_and_keeps_every_pixel(tmp_path):
    data = builders.jpeg()
    assert markers(data)
    result = clean(data)
    assert result.outcome is Outcome.CLEANED and result.kind == "image/jpeg"
    assert {
        "gps",
        "camera_serial",
        "dates",
        "author",
        "software",
        "maker_notes",
        "xmp",
        "iptc",
        "icc",
        "comments",
        "trailing_data",
    } <= codes(result)
    check_clean(result.data, tmp_path, ".jpg")
    before, after = Image.open(io.BytesIO(data)), Image.open(io.BytesIO(result.data))
    assert after.size == before.size
    assert after.tobytes() == before.tobytes()


def test_orientation_survives_as_a_fresh_single_tag():
    result = clean(builders.jpeg(orientation=6))
    exif = Image.open(io.BytesIO(result.data)).getexif()
    assert dict(exif) == {0x0112: 6}


def test_summary_reads_in_plain_words():
    summary = clean(builders.jpeg()).summary()
    assert summary.startswith("Removed: ")
    assert "; GPS position; camera make, model and serial number;" in summary
    assert "dates" in summary


def test_cleaning_twice_finds_nothing_more():
    once = clean(builders.jpeg()).data
    again = clean(once)
    assert again.outcome is Outcome.NOTHING_TO_REMOVE
    assert again.data == once
    assert jpeg_cleaner.inspect(once) == ()


def test_truncated_jpeg_cannot_be_cleaned():
    data = builders.jpeg()
    result = clean(data[: len(data) // 2])
    assert result.outcome is Outcome.CANNOT_CLEAN
    assert result.reason.code == "damaged"
    assert result.data is None


def test_progressive_and_grayscale_jpegs_keep_their_pixels():
    for mode, kw in (("RGB", {"progressive": True}), ("L", {}), ("CMYK", {})):
        out = io.BytesIO()
        builders.pixels((40, 30), mode).save(
            out, "JPEG", exif=builders.camera_exif().tobytes(), **kw
        )
        result = clean(out.getvalue())
        assert result.outcome is Outcome.CLEANED
        before = Image.open(io.BytesIO(out.getvalue()))
        after = Image.open(io.BytesIO(result.data))
        assert after.mode == before.mode and after.tobytes() == before.tobytes()


def test_strict_mode_rerenders_and_says_what_remains():
    result = clean(builders.jpeg(), CleanOptions(strict_images=True))
    assert result.outcome is Outcome.CLEANED
    assert markers(result.data) == set()
    assert "sensor_noise_reduced" in {n.code for n in result.residual}
    assert Image.open(io.BytesIO(result.data)).size == (48, 64)  # orientation applied
