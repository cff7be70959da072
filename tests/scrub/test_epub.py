import io
import zipfile

from sealbox.scrub import Outcome, clean

from . import builders, mat2_corpus
from .oracle import check_clean


def test_book_keeps_its_pages_and_loses_who_made_it(tmp_path):
    result = clean(mat2_corpus.epub(tmp_path))
    assert result.outcome is Outcome.CLEANED
    check_clean(result.data, tmp_path, ".epub")
    with zipfile.ZipFile(io.BytesIO(result.data)) as zf:
        assert zf.namelist()[0] == "mimetype"
        assert b"Words of the book." in zf.read("OEBPS/chapter1.xhtml")
        assert b"color: red" in zf.read("OEBPS/style.css")


def test_drm_is_not_cleaned():
    book = mat2_corpus.rezip(
        mat2_corpus.epub(None),
        add=[("META-INF/rights.xml", b"<rights/>")],
    )
    result = clean(book)
    assert result.outcome is Outcome.CANNOT_CLEAN and result.reason.code == "encrypted"


def test_an_unknown_part_holds_the_book():
    book = mat2_corpus.rezip(mat2_corpus.epub(None), add=[("OEBPS/macro.bin", b"\x00\x01")])
    assert clean(book).reason.code == "unknown_parts"
    assert builders.MARK  # the corpus plants its markers with the same builders
