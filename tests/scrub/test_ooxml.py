import io
import zipfile

from lxml import etree

from sealbox.scrub import Outcome, clean

from . import builders
from .oracle import check_clean


def assert_well_formed(data):
    """Every XML part parses, every internal relationship target exists, content types agree."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        assert zf.namelist()[0] == "[Content_Types].xml"
        for name in names:
            if name.endswith((".xml", ".rels")):
                etree.fromstring(zf.read(name))
        types = etree.fromstring(zf.read("[Content_Types].xml"))
        for override in types:
            part = override.get("PartName")
            if part:
                assert part.lstrip("/") in names, part
        for name in names:
            if not name.endswith(".rels"):
                continue
            base = name.rsplit("_rels/", 1)[0]
            for rel in etree.fromstring(zf.read(name)):
                if rel.get("TargetMode") != "External":
                    target = (base + rel.get("Target")).replace("xl/worksheets/../", "xl/")
                    import posixpath

                    assert posixpath.normpath(target) in names, (name, target)
        return {n: zf.read(n) for n in names}


def test_docx_loses_authors_ids_comments_and_the_gps_in_its_picture(tmp_path):
    result = clean(builders.docx())
    assert result.outcome is Outcome.CLEANED
    codes = {f.code for f in result.removed}
    assert {
        "author",
        "company",
        "custom_properties",
        "thumbnail",
        "document_comments",
        "people",
        "revision_ids",
        "document_ids",
        "revisions",
        "paths",
        "drawing_names",
        "embedded_media",
        "gps",
        "archive_dates",
    } <= codes
    check_clean(result.data, tmp_path, ".docx")
    parts = assert_well_formed(result.data)
    assert builders.DOCX_TEXT.encode() in parts["word/document.xml"]
    assert b"paraId" not in parts["word/document.xml"] and b"rsid" not in parts["word/settings.xml"]
    assert b"docId" not in parts["word/settings.xml"]


def test_xlsx_and_pptx_are_cleaned(tmp_path):
    for build, suffix, text in (
        (builders.xlsx, ".xlsx", b"Visible cell"),
        (builders.pptx, ".pptx", b"Visible slide text"),
    ):
        result = clean(build())
        assert result.outcome is Outcome.CLEANED, result.reason
        check_clean(result.data, tmp_path, suffix)
        parts = assert_well_formed(result.data)
        assert any(text in body for body in parts.values())


def test_unknown_part_fails_closed():
    data = builders.docx()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("word/vbaProject.bin", b"macro")
    result = clean(out.getvalue())
    assert result.outcome is Outcome.CANNOT_CLEAN
    assert result.reason.code == "unknown_parts" and "vbaProject.bin" in result.reason.text()
