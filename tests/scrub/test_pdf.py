import io
import subprocess

import pikepdf

from sealbox.scrub import CleanOptions, Outcome, clean

from . import builders
from .oracle import check_clean


def page_text(pdf):
    return b"".join(page.Contents.read_bytes() for page in pdf.pages)


def test_pdf_is_rewritten_without_metadata_js_or_attachments(tmp_path):
    data = builders.pdf()
    original_id = bytes(pikepdf.open(io.BytesIO(data)).trailer.ID[0])
    result = clean(data)
    assert result.outcome is Outcome.CLEANED
    codes = {f.code for f in result.removed}
    assert {
        "author",
        "software",
        "title",
        "dates",
        "document_ids",
        "javascript",
        "embedded_files",
        "xmp",
        "history",
        "document_comments",
        "embedded_media",
        "gps",
    } <= codes
    check_clean(result.data, tmp_path, ".pdf")
    path = tmp_path / "cleaned.pdf"
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert original_id not in result.data
    with pikepdf.open(io.BytesIO(result.data)) as pdf:
        assert len(pdf.pages) == 2
        assert b"Visible page 2" in page_text(pdf)
        assert "/Info" not in pdf.trailer and len(pdf.attachments) == 0
        assert "/OpenAction" not in pdf.Root and "/Metadata" not in pdf.Root
        assert len(pdf.pages[0].obj.get("/Annots", [])) == 0  # the sticky note went whole


def test_summary_says_javascript_and_attachments_were_removed():
    summary = clean(builders.pdf()).summary()
    assert "JavaScript" in summary and "1 attached file" in summary


def test_form_values_are_removed_unless_the_source_keeps_them():
    doc = pikepdf.open(io.BytesIO(builders.pdf(with_js=False, pages=1)))
    field = doc.make_indirect(
        pikepdf.Dictionary(
            FT=pikepdf.Name.Tx,
            T="name",
            V=builders.marker("FORMVALUE"),
            Subtype=pikepdf.Name.Widget,
            Rect=[0, 0, 10, 10],
        )
    )
    doc.Root.AcroForm = pikepdf.Dictionary(Fields=[field])
    out = io.BytesIO()
    doc.save(out)
    removed = clean(out.getvalue())
    assert b"FORMVALUE" not in removed.data and "form_values" in {f.code for f in removed.removed}
    kept = clean(out.getvalue(), CleanOptions(keep_form_values=True))
    with pikepdf.open(io.BytesIO(kept.data)) as pdf:
        assert bytes(pdf.Root.AcroForm.Fields[0].V) == builders.marker("FORMVALUE").encode()
    assert "form_values_kept" in {n.code for n in kept.residual}


def test_truncated_and_encrypted_pdfs_cannot_be_cleaned():
    data = builders.pdf()
    assert clean(data[: len(data) // 3]).reason.code == "damaged"
    doc = pikepdf.open(io.BytesIO(data))
    out = io.BytesIO()
    doc.save(out, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    assert clean(out.getvalue()).reason.code == "encrypted"
