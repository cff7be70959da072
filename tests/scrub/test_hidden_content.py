"""What Office's Document Inspector lists as hidden content goes from every document format:
comments, speaker notes, hidden slides, sheets, rows and columns, tracked changes with the text
they deleted; and the source is told in one sentence what went, to paste back if it matters."""

import io
import zipfile

import pikepdf

from sealbox.scrub import Outcome, clean

from . import builders
from .oracle import markers

M = builders.marker
_SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument"


def _parts(data):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _rels(*targets):
    body = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/{kind}" Target="{target}"/>'
        for i, (kind, target) in enumerate(targets, 1)
    )
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    return f'{head}<Relationships xmlns="{_PKG}">{body}</Relationships>'


def _types(*parts):
    body = "".join(f'<Override PartName="/{p}" ContentType="{ct}"/>' for p, ct in parts)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
        'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        f'"application/xml"/>{body}</Types>'
    )


def xlsx_with_hidden_things():
    """Sheet1 has a hidden row 2 and hidden column B; Sheet2 is hidden; strings are shared."""
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_SML}" xmlns:r="{_REL}">'
        '<bookViews><workbookView activeTab="1"/></bookViews><sheets>'
        '<sheet name="Visible" sheetId="1" r:id="rId1"/>'
        '<sheet name="Secret" sheetId="2" state="hidden" r:id="rId2"/></sheets>'
        '<definedNames><definedName name="pay">Secret!$A$1</definedName></definedNames>'
        "</workbook>"
    )
    strings = [
        "Shown",
        M("HIDDENROW"),
        M("HIDDENCOL"),
        M("HIDDENSHEET"),
        "Also shown",
    ]
    sst = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_SML}" count="5" uniqueCount="5">'
        + "".join(f"<si><t>{s}</t></si>" for s in strings)
        + "</sst>"
    )

    def cell(ref, index):
        return f'<c r="{ref}" t="s"><v>{index}</v></c>'

    sheet1 = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_SML}">'
        '<cols><col min="2" max="2" width="9" hidden="1"/></cols><sheetData>'
        f'<row r="1">{cell("A1", 0)}{cell("B1", 2)}{cell("C1", 4)}</row>'
        f'<row r="2" hidden="1">{cell("A2", 1)}</row>'
        "</sheetData></worksheet>"
    )
    sheet2 = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_SML}"><sheetData>'
        f'<row r="1">{cell("A1", 3)}</row></sheetData></worksheet>'
    )
    sml = f"{_CT}.spreadsheetml"
    return builders.write_zip(
        [
            (
                "[Content_Types].xml",
                _types(
                    ("xl/workbook.xml", f"{sml}.sheet.main+xml"),
                    ("xl/worksheets/sheet1.xml", f"{sml}.worksheet+xml"),
                    ("xl/worksheets/sheet2.xml", f"{sml}.worksheet+xml"),
                    ("xl/sharedStrings.xml", f"{sml}.sharedStrings+xml"),
                ).encode(),
            ),
            ("_rels/.rels", _rels(("officeDocument", "xl/workbook.xml")).encode()),
            ("xl/workbook.xml", workbook.encode()),
            (
                "xl/_rels/workbook.xml.rels",
                _rels(
                    ("worksheet", "worksheets/sheet1.xml"),
                    ("worksheet", "worksheets/sheet2.xml"),
                    ("sharedStrings", "sharedStrings.xml"),
                ).encode(),
            ),
            ("xl/worksheets/sheet1.xml", sheet1.encode()),
            ("xl/worksheets/sheet2.xml", sheet2.encode()),
            ("xl/sharedStrings.xml", sst.encode()),
        ]
    )


def pptx_with_hidden_slide_and_notes():
    pml = (
        'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        f'xmlns:r="{_REL}"'
    )

    def slide(text, hidden=False):
        show = ' show="0"' if hidden else ""
        return (
            f'<?xml version="1.0" encoding="UTF-8"?><p:sld {pml}{show}><p:cSld><p:spTree>'
            '<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>'
            f"<p:grpSpPr/><p:sp><p:txBody><a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:txBody>"
            "</p:sp></p:spTree></p:cSld></p:sld>"
        )

    notes = (
        f'<?xml version="1.0" encoding="UTF-8"?><p:notes {pml}><p:cSld><p:spTree><p:sp>'
        f"<p:txBody><a:p><a:r><a:t>{M('SPEAKERNOTE')}</a:t></a:r></a:p></p:txBody></p:sp>"
        "</p:spTree></p:cSld></p:notes>"
    )
    presentation = (
        f'<?xml version="1.0" encoding="UTF-8"?><p:presentation {pml}><p:sldIdLst>'
        '<p:sldId id="256" r:id="rId1"/><p:sldId id="257" r:id="rId2"/></p:sldIdLst>'
        '<p:sldSz cx="9144000" cy="6858000"/></p:presentation>'
    )
    pml_ct = f"{_CT}.presentationml"
    return builders.write_zip(
        [
            (
                "[Content_Types].xml",
                _types(
                    ("ppt/presentation.xml", f"{pml_ct}.presentation.main+xml"),
                    ("ppt/slides/slide1.xml", f"{pml_ct}.slide+xml"),
                    ("ppt/slides/slide2.xml", f"{pml_ct}.slide+xml"),
                    ("ppt/notesSlides/notesSlide1.xml", f"{pml_ct}.notesSlide+xml"),
                ).encode(),
            ),
            ("_rels/.rels", _rels(("officeDocument", "ppt/presentation.xml")).encode()),
            ("ppt/presentation.xml", presentation.encode()),
            (
                "ppt/_rels/presentation.xml.rels",
                _rels(("slide", "slides/slide1.xml"), ("slide", "slides/slide2.xml")).encode(),
            ),
            ("ppt/slides/slide1.xml", slide("Visible slide").encode()),
            (
                "ppt/slides/_rels/slide1.xml.rels",
                _rels(("notesSlide", "../notesSlides/notesSlide1.xml")).encode(),
            ),
            ("ppt/slides/slide2.xml", slide(M("HIDDENSLIDE"), hidden=True).encode()),
            ("ppt/notesSlides/notesSlide1.xml", notes.encode()),
        ]
    )


def test_docx_tracked_changes_are_accepted_and_the_deleted_words_go():
    result = clean(builders.docx())
    body = _parts(result.data)["word/document.xml"]
    assert b" inserted" in body  # an insertion stays, as plain text
    assert b" deleted" not in body and b"w:ins" not in body and b"w:del" not in body
    assert "revisions" in {f.code for f in result.removed}


def test_xlsx_hidden_sheet_rows_and_columns_go_with_their_strings():
    result = clean(xlsx_with_hidden_things())
    assert result.outcome is Outcome.CLEANED, result.reason
    parts = _parts(result.data)
    everything = b"".join(parts.values())
    assert markers(everything) == set()
    assert b"Shown" in parts["xl/sharedStrings.xml"] and b"Also shown" in everything
    assert "xl/worksheets/sheet2.xml" not in parts and b"Secret" not in parts["xl/workbook.xml"]
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert b'r="A1"' in sheet and b'r="C1"' in sheet and b'r="B1"' not in sheet
    # C1 still shows "Also shown": the string table was renumbered, not just cut.
    assert b'<c r="C1" t="s"><v>1</v></c>' in sheet
    found = {f.code: f.count for f in result.removed}
    assert found["hidden_sheets"] == 1 and found["hidden_rows"] == 2


def test_pptx_hidden_slide_and_speaker_notes_go_and_the_source_is_told():
    result = clean(pptx_with_hidden_slide_and_notes())
    assert result.outcome is Outcome.CLEANED, result.reason
    parts = _parts(result.data)
    assert markers(b"".join(parts.values())) == set()
    assert set(parts) >= {"ppt/slides/slide1.xml"} and "ppt/slides/slide2.xml" not in parts
    assert b"rId2" not in parts["ppt/presentation.xml"]
    assert result.removed_content() == (
        "1 hidden slide and the speaker notes were removed; "
        "paste them into your report if they matter."
    )


def _odf(mime, body, styles=""):
    ns = builders._ODF_NS + (
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}>'
        f"<office:automatic-styles>{styles}</office:automatic-styles>"
        f"<office:body>{body}</office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:'
        'names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" '
        f'manifest:media-type="{mime}"/></manifest:manifest>'
    )
    return builders.write_zip(
        [
            ("mimetype", mime.encode()),
            ("META-INF/manifest.xml", manifest.encode()),
            ("content.xml", content.encode()),
        ]
    )


def test_ods_hidden_sheet_rows_and_columns_go():
    styles = (
        '<style:style style:name="ta2" style:family="table">'
        '<style:table-properties table:display="false"/></style:style>'
    )
    body = (
        "<office:spreadsheet>"
        '<table:table table:name="Shown"><table:table-column/>'
        '<table:table-column table:visibility="collapse"/><table:table-column/>'
        "<table:table-row><table:table-cell><text:p>a1</text:p></table:table-cell>"
        f"<table:table-cell><text:p>{M('ODSHIDDENCOL')}</text:p></table:table-cell>"
        "<table:table-cell><text:p>c1</text:p></table:table-cell></table:table-row>"
        '<table:table-row table:visibility="collapse"><table:table-cell>'
        f"<text:p>{M('ODSHIDDENROW')}</text:p></table:table-cell></table:table-row></table:table>"
        f'<table:table table:name="{M("ODSSHEETNAME")}" table:style-name="ta2"><table:table-row>'
        f"<table:table-cell><text:p>{M('ODSHIDDENSHEET')}</text:p></table:table-cell>"
        "</table:table-row></table:table></office:spreadsheet>"
    )
    result = clean(_odf("application/vnd.oasis.opendocument.spreadsheet", body, styles))
    assert result.outcome is Outcome.CLEANED, result.reason
    content = _parts(result.data)["content.xml"]
    assert markers(content) == set() and b"a1" in content and b"c1" in content
    found = {f.code: f.count for f in result.removed}
    assert found["hidden_sheets"] == 1 and found["hidden_rows"] == 2


def test_odp_notes_hidden_slide_and_odt_tracked_deletions_go():
    body = (
        '<office:presentation><draw:page draw:name="one"><presentation:notes><draw:frame>'
        f"<draw:text-box><text:p>{M('ODPNOTE')}</text:p></draw:text-box></draw:frame>"
        '</presentation:notes></draw:page><draw:page draw:name="two" '
        f'presentation:visibility="hidden"><draw:frame><draw:text-box><text:p>{M("ODPHIDDEN")}'
        "</text:p></draw:text-box></draw:frame></draw:page></office:presentation>"
    )
    result = clean(_odf("application/vnd.oasis.opendocument.presentation", body))
    assert markers(_parts(result.data)["content.xml"]) == set()
    assert {"speaker_notes", "hidden_slides"} <= {f.code for f in result.removed}
    text = (
        '<office:text><text:tracked-changes><text:changed-region text:id="c1">'
        "<text:deletion><office:change-info><dc:creator>x</dc:creator></office:change-info>"
        f"<text:p>{M('ODTDELETED')}</text:p></text:deletion></text:changed-region>"
        '</text:tracked-changes><text:p>kept<text:change text:change-id="c1"/></text:p>'
        "</office:text>"
    )
    result = clean(_odf("application/vnd.oasis.opendocument.text", text))
    content = _parts(result.data)["content.xml"]
    assert markers(content) == set() and b"kept" in content and b"change" not in content


def test_pdf_comments_go_with_their_text_and_authors():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0]
    note = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Text,
            Rect=[10, 10, 30, 30],
            Contents=pikepdf.String(M("PDFNOTE")),
            T=pikepdf.String(M("PDFAUTHOR")),
        )
    )
    link = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 5, 5])
    )
    page.obj.Annots = pdf.make_indirect(pikepdf.Array([note, link]))
    buf = io.BytesIO()
    pdf.save(buf)
    result = clean(buf.getvalue())
    with pikepdf.open(io.BytesIO(result.data)) as out:
        annots = out.pages[0].obj.Annots
        assert [a.Subtype for a in annots] == [pikepdf.Name.Link]
    assert markers(result.data) == set()
    assert result.removed_content() == (
        "1 comment was removed; paste it into your report if it matters."
    )


def test_hidden_text_goes_from_word_and_opendocument():
    from .mat2_corpus import _member, rezip

    data = builders.docx()
    hidden = (
        f"<w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>{M('VANISHED')}</w:t></w:r>"
        '<w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t>shown after all</w:t></w:r></w:p></w:body>'
    )
    document = _member(data, "word/document.xml").replace(b"</w:body>", hidden.encode(), 1)
    result = clean(rezip(data, replace={"word/document.xml": document}))
    body = _parts(result.data)["word/document.xml"]
    assert markers(body) == set() and b"shown after all" in body
    assert {f.code: f.count for f in result.removed}["hidden_text"] == 1
    text = (
        "<office:text><text:p>kept</text:p>"
        f'<text:section text:name="s" text:display="none"><text:p>{M("ODTHIDDENSECTION")}'
        '</text:p></text:section><text:p>a<text:hidden-text text:condition="x" '
        f'text:string-value="{M("ODTHIDDENTEXT")}"/></text:p></office:text>'
    )
    result = clean(_odf("application/vnd.oasis.opendocument.text", text))
    content = _parts(result.data)["content.xml"]
    assert markers(content) == set() and b"kept" in content
    assert "2 pieces of hidden text were removed" in result.removed_content()
