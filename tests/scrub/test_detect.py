import pytest

from sealbox.scrub.detect import detect

from . import builders


@pytest.mark.parametrize(
    "build,kind",
    [
        (builders.jpeg, "image/jpeg"),
        (builders.png, "image/png"),
        (builders.gif, "image/gif"),
        (builders.webp, "image/webp"),
        (builders.tiff, "image/tiff"),
        (builders.heif, "image/heif"),
        (builders.pdf, "application/pdf"),
        (builders.docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (builders.xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            builders.pptx,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        (builders.odt, "application/vnd.oasis.opendocument.text"),
    ],
)
def test_type_comes_from_the_bytes(build, kind):
    assert detect(build()) == kind


def test_unknown_and_empty():
    assert detect(b"") == "application/octet-stream"
    assert detect(b"\x00\x01\x02\x03") == "application/octet-stream"
    assert detect(b"\xff\xfe\xfd not utf8") == "application/octet-stream"
    assert detect(b"just words") == "text/plain"
