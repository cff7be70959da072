import io
import zipfile

from sealbox.scrub import Outcome, clean

from . import builders
from .oracle import check_clean


def test_zip_members_are_cleaned_recursively_and_entries_normalised(tmp_path):
    inner = builders.write_zip([("deep/photo.jpg", builders.jpeg())])
    data = builders.write_zip(
        [
            ("photo.jpg", builders.jpeg()),
            ("doc.docx", builders.docx()),
            ("notes.txt", b"plain words\n"),
            ("inner.zip", inner),
        ]
    )
    result = clean(data)
    assert result.outcome is Outcome.CLEANED, result.reason
    codes = {f.code for f in result.removed}
    assert {"archive_dates", "archive_comments", "gps", "author"} <= codes
    check_clean(result.data, tmp_path, ".zip")
    with zipfile.ZipFile(io.BytesIO(result.data)) as zf:
        assert zf.namelist() == ["photo.jpg", "doc.docx", "notes.txt", "inner.zip"]
        assert zf.read("notes.txt") == b"plain words\n"


def test_unsafe_member_names_are_made_safe():
    data = builders.write_zip(
        [("../../etc/evil.txt", b"x"), ("/abs/\x1b[31mred.txt", b"y"), ("C:\\win\\file.txt", b"z")]
    )
    result = clean(data)
    assert result.outcome is Outcome.CLEANED
    with zipfile.ZipFile(io.BytesIO(result.data)) as zf:
        names = zf.namelist()
    assert names == ["etc/evil.txt", "abs/[31mred.txt", "win/file.txt"]
    assert "unsafe_names" in {f.code for f in result.removed}


def test_a_member_that_cannot_be_cleaned_fails_the_archive():
    result = clean(builders.write_zip([("ok.txt", b"fine"), ("blob.bin", b"\x00\x01\x02binary")]))
    assert result.outcome is Outcome.CANNOT_CLEAN
    assert result.reason.code == "member" and "blob.bin" in result.reason.text()


def test_encrypted_member_is_refused():
    data = bytearray(builders.write_zip([("a.txt", b"hello")]))
    data[6] |= 1  # general-purpose flag: encrypted (local header)
    cd = data.rindex(b"PK\x01\x02")
    data[cd + 8] |= 1
    assert clean(bytes(data)).reason.code == "encrypted"
