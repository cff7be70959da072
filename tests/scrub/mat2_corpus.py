"""Files like those of MAT2's own test suite (`tests/data`), built here: same formats, same
kinds of trouble, each with planted metadata. Nothing is fetched.

MAT2 keeps 48 files made by real software there; the cases below follow its file names and
what its tests say each file holds. Most are made by the tools that make such files (Pillow,
ffmpeg, cjxl, zipfile); office packages are written part by part as office suites write them.
`expected` is "cleaned", or "damaged" for the files MAT2 keeps to test broken input.
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import builders

M = builders.marker


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], bytes]
    expected: str = "cleaned"
    needs: str | None = None  # a program without which the file cannot be made here


def rezip(data: bytes, add=(), drop=(), replace=None, system: int | None = None) -> bytes:
    """The ZIP in `data` with members added, dropped or replaced (and, optionally, every
    entry marked as made on another system, as MAT2's weird_producer.odt is)."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            body = replace.get(info.filename, src.read(info))
            if system is not None:
                info.create_system = system
            dst.writestr(info, body)
        for name, body in add:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 2, 3, 4, 6))
            if system is not None:
                info.create_system = system
            dst.writestr(info, body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name)


def _ffmpeg(args: list[str], suffix: str) -> Callable[[Path], bytes]:
    return lambda tmp: builders.ffmpeg(
        [*args, *builders._AV_META, "-t", "1"], tmp / f"dirty{suffix}"
    )


_SINE = ["-f", "lavfi", "-i", "sine=duration=1"]
_CLIP = [*_SINE, "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=1"]


def aiff(tmp: Path) -> bytes:
    """An AIFF from ffmpeg, with the name, author, copyright and annotation chunks MAT2's has."""
    plain = builders.ffmpeg([*_SINE, "-t", "0.5"], tmp / "plain.aiff")
    extra = b""
    for kind, text in (
        (b"NAME", M("AIFFNAME")),
        (b"AUTH", M("AIFFAUTH")),
        (b"(c) ", M("AIFFCOPY")),
        (b"ANNO", M("AIFFANNO")),
    ):
        body = text.encode()
        extra += kind + struct.pack(">I", len(body)) + body + b"\x00" * (len(body) & 1)
    body = plain[8:12] + extra + plain[12:]
    return b"FORM" + struct.pack(">I", len(body)) + body


def avif(tmp: Path) -> bytes:
    out = io.BytesIO()
    builders.pixels((64, 48)).save(
        out, "AVIF", exif=builders.camera_exif(), xmp=f"<x>{M('AVIFXMP')}</x>".encode()
    )
    return out.getvalue()


def bmp(tmp: Path) -> bytes:
    out = io.BytesIO()
    builders.pixels((64, 48)).save(out, "BMP")
    return out.getvalue()


def jxl(tmp: Path) -> bytes:
    """A camera JPEG recompressed by cjxl: its EXIF and XMP ride along in boxes."""
    source = tmp / "camera.jpg"
    source.write_bytes(builders.jpeg())
    subprocess.run(["cjxl", str(source), str(tmp / "dirty.jxl")], check=True, capture_output=True)
    return (tmp / "dirty.jxl").read_bytes()


def ppm(tmp: Path) -> bytes:
    return (
        f"P3\n# {M('PPMCOMMENT')}\n4 2\n# {M('PPMSECOND')}\n255\n"
        "255 0 0  0 255 0  0 0 255  9 9 9\n# and a final one here\n"
        "1 2 3  4 5 6  7 8 9  10 11 12\n"
    ).encode()


CSS = (
    f"/**\n * This is my super css framework\n * version: 1.0\n * author : {M('CSSAUTHOR')}\n */\n"
    "body {\n    color: red;\n    background-color: blue;\n}\n\n.underline {\n"
    f"    text-decoration: underline; /* {M('CSSCOMMENT')} */\n}}\n"
)


def html(tmp: Path) -> bytes:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<meta name='author' content='{M('HTMLAUTHOR')}'><title>{M('HTMLTITLE')}</title>"
        f"</head><body><!-- {M('HTMLCOMMENT')} --><p>hello</p></body></html>"
    ).encode()


def svg(tmp: Path) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        "<!-- Created with Inkscape (http://www.inkscape.org/) -->\n"
        '<svg xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:cc="http://creativecommons.org/ns#" '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://www.w3.org/2000/svg" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" '
        'xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" '
        'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="128" height="128" '
        f'version="1.1" sodipodi:docname="{M("SVGDOCNAME")}.svg" '
        f'inkscape:export-filename="/home/{M("SVGUSER")}/drawing.png" inkscape:version="1.2">'
        f"<title>{M('SVGTITLE')}</title><desc>{M('SVGDESC')}</desc>"
        '<sodipodi:namedview id="base" pagecolor="#ffffff" inkscape:window-width="1920"/>'
        '<metadata><rdf:RDF><cc:Work rdf:about=""><dc:format>image/svg+xml</dc:format>'
        f"<dc:creator><cc:Agent><dc:title>{M('SVGCREATOR')}</dc:title></cc:Agent></dc:creator>"
        f"<dc:description>{M('SVGWORKDESC')}</dc:description></cc:Work></rdf:RDF></metadata>"
        '<g inkscape:label="Layer 1" inkscape:groupmode="layer"><rect x="8" y="8" width="64" '
        'height="32" style="fill:#336699"/></g>'
        '<image width="16" height="12" xlink:href="data:image/jpeg;base64,'
        f'{_b64(builders.jpeg((16, 12)))}"/>'
        "</svg>\n"
    ).encode()


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


def weird_svg(tmp: Path) -> bytes:
    return (
        '<svg xmlns="http://www.w3.org/1337/svg" width="128" height="128">'
        f'<desc>{M("WEIRDSVG")}</desc><circle cx="5" cy="5" r="4"/></svg>'
    ).encode()


def torrent(tmp: Path) -> bytes:
    info = b"d6:lengthi12e4:name9:dirty.txt12:piece lengthi32768e6:pieces20:" + b"\x01" * 20 + b"e"
    comment = M("TORRENTCOMMENT").encode()
    return (
        b"d8:announce35:http://tracker.example.org/announce"
        + b"7:comment%d:%s" % (len(comment), comment)
        + b"10:created by13:mktorrent 1.013:creation datei1522397702e"
        + b"4:info"
        + info
        + b"e"
    )


def odf_formula(tmp: Path) -> bytes:
    """A LibreOffice Math formula: MathML content, meta with creator and generator, settings."""
    mime = "application/vnd.oasis.opendocument.formula"
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><math xmlns="http://www.w3.org/1998/Math/MathML">'
        "<semantics><mrow><mi>a</mi><mo>+</mo><mi>b</mi></mrow>"
        '<annotation encoding="StarMath 5.0">a + b</annotation></semantics></math>'
    )
    data = builders.odt(mime)
    return rezip(data, replace={"content.xml": content.encode()})


def _odt_object(data: bytes) -> bytes:
    """An ODT holding an embedded formula, as LibreOffice writes one (its own folder)."""
    frame = (
        '<text:p><draw:frame draw:name="Object1"><draw:object xlink:href="./Object 1" '
        'xlink:type="simple"/><draw:image xlink:href="./ObjectReplacements/Object 1"/>'
        "</draw:frame></text:p></office:text>"
    )
    content = _member(data, "content.xml").replace(b"</office:text>", frame.encode(), 1)
    formula = _member(odf_formula(Path()), "content.xml")
    meta = _member(data, "meta.xml")
    manifest = _member(data, "META-INF/manifest.xml").replace(
        b"</manifest:manifest>",
        b'<manifest:file-entry manifest:full-path="Object 1/content.xml" '
        b'manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="Object 1/" '
        b'manifest:media-type="application/vnd.oasis.opendocument.formula"/>'
        b"</manifest:manifest>",
    )
    return rezip(
        data,
        replace={"content.xml": content, "META-INF/manifest.xml": manifest},
        add=[
            ("Object 1/content.xml", formula),
            ("Object 1/meta.xml", meta),
            ("Object 1/settings.xml", _member(data, "settings.xml")),
            ("ObjectReplacements/Object 1", builders.png((16, 12))),
        ],
    )


def _docx_part(add_rel: str, add: list[tuple[str, bytes]], data: bytes | None = None) -> bytes:
    data = data or builders.docx()
    rels = _member(data, "word/_rels/document.xml.rels").replace(
        b"</Relationships>", add_rel.encode() + b"</Relationships>"
    )
    return rezip(data, replace={"word/_rels/document.xml.rels": rels}, add=add)


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def docx_nsid(tmp: Path) -> bytes:
    numbering = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:numbering xmlns:w="{_W}">'
        '<w:abstractNum w:abstractNumId="0"><w:nsid w:val="6A1B2C3D"/><w:multiLevelType '
        'w:val="hybridMultilevel"/><w:tmpl w:val="0409000F"/><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        '<w:numFmt w:val="decimal"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId '
        'w:val="0"/></w:num></w:numbering>'
    )
    return _docx_part(
        f'<Relationship Id="rId90" Type="{_RT}/numbering" Target="numbering.xml"/>',
        [("word/numbering.xml", numbering.encode())],
    )


def docx_embedded(tmp: Path) -> bytes:
    """A Word document with a script attached as a package (MAT2's holds a .py file)."""
    return _docx_part(
        f'<Relationship Id="rId91" Type="{_RT}/package" Target="embeddings/hello.py"/>',
        [("word/embeddings/hello.py", b"print('hello')\n")],
    )


def docx_revision_sessions(tmp: Path) -> bytes:
    """Word's newer parts beside the rsids: a sensitivity label and a trash folder."""
    label = (
        '<?xml version="1.0" encoding="utf-8" standalone="yes"?><clbl:labelList xmlns:clbl='
        '"http://schemas.microsoft.com/office/2020/mipLabelMetadata"><clbl:label '
        f'id="{{{M("LABELID")}}}" enabled="1" method="Standard" siteId="{{{M("TENANT")}}}" '
        'removed="0"/></clbl:labelList>'
    )
    root_rels = _member(builders.docx(), "_rels/.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rId9" Type="http://schemas.microsoft.com/office/2020/02/relationships'
        b'/classificationlabels" Target="docMetadata/LabelInfo.xml"/></Relationships>',
    )
    return rezip(
        builders.docx(),
        replace={"_rels/.rels": root_rels},
        add=[("docMetadata/LabelInfo.xml", label.encode()), ("[trash]/0000.dat", b"old")],
    )


def docx_move(tmp: Path) -> bytes:
    document = _member(builders.docx(), "word/document.xml").replace(
        b"</w:body>",
        (
            '<w:p><w:moveFromRangeStart w:id="7" w:name="move1" w:author="'
            + M("MOVEAUTHOR")
            + '" w:date="2021-03-04T05:06:07Z"/><w:moveFrom w:id="8" w:author="'
            + M("MOVEAUTHOR")
            + '"><w:r><w:t>'
            + M("MOVEDAWAY")
            + '</w:t></w:r></w:moveFrom><w:moveFromRangeEnd w:id="7"/></w:p><w:p>'
            '<w:moveTo w:id="9" w:author="x"><w:r><w:t>moved here</w:t></w:r></w:moveTo></w:p>'
            "</w:body>"
        ).encode(),
        1,
    )
    return rezip(builders.docx(), replace={"word/document.xml": document})


def dangling_docx(tmp: Path) -> bytes:
    return _docx_part(f'<Relationship Id="rId92" Type="{_RT}/footer" Target="footer9.xml"/>', [])


def dangling_xlsx(tmp: Path) -> bytes:
    data = builders.xlsx()
    rels = _member(data, "xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        f'<Relationship Id="rId9" Type="{_RT}/styles" Target="styles.xml"/>'.encode()
        + b"</Relationships>",
    )
    return rezip(data, replace={"xl/_rels/workbook.xml.rels": rels})


def corrupted(data: bytes, member: str) -> bytes:
    body = _member(data, member)
    return rezip(data, replace={member: body[: len(body) // 3]})


def weird_producer(tmp: Path) -> bytes:
    """An ODT whose entries say they were made on Windows, with comments on them."""
    return rezip(builders.odt(), system=0)


def epub(tmp: Path) -> bytes:
    container = (
        '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:'
        'xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type='
        '"application/oebps-package+xml"/></rootfiles></container>'
    )
    opf = (
        '<?xml version="1.0" encoding="utf-8"?><package xmlns="http://www.idpf.org/2007/opf" '
        'unique-identifier="id" version="2.0"><metadata xmlns:dc="http://purl.org/dc/elements/'
        '1.1/" xmlns:opf="http://www.idpf.org/2007/opf">'
        f'<dc:title>{M("EPUBTITLE")}</dc:title><dc:creator opf:role="aut">{M("EPUBAUTHOR")}'
        f"</dc:creator><dc:publisher>{M('EPUBPUBLISHER')}</dc:publisher>"
        f"<dc:date>2018-12-02</dc:date><dc:source>http://{M('EPUBSOURCE')}.example/</dc:source>"
        f'<dc:identifier id="id">urn:uuid:{M("EPUBUUID")}</dc:identifier>'
        '<dc:language>en</dc:language><meta name="cover" content="cover"/></metadata>'
        '<manifest><item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
        '<item id="c1" href="chapter1.xhtml" media-type="application/xhtml+xml"/>'
        '<item id="css" href="style.css" media-type="text/css"/>'
        '<item id="cover" href="images/cover.jpg" media-type="image/jpeg"/></manifest>'
        '<spine toc="ncx"><itemref idref="c1"/></spine></package>'
    )
    ncx = (
        '<?xml version="1.0" encoding="utf-8"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" '
        f'version="2005-1"><head><meta name="dtb:uid" content="urn:uuid:{M("EPUBUUID")}"/>'
        f'<meta name="dtb:generator" content="{M("EPUBGENERATOR")}"/></head>'
        f"<docTitle><text>{M('NCXTITLE')}</text></docTitle><docAuthor><text>{M('NCXAUTHOR')}"
        '</text></docAuthor><navMap><navPoint id="n1" playOrder="1"><navLabel><text>One</text>'
        '</navLabel><content src="chapter1.xhtml"/></navPoint></navMap></ncx>'
    )
    chapter = (
        '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
        f'<title>{M("XHTMLTITLE")}</title><meta name="generator" content="{M("XHTMLGEN")}"/>'
        '<link rel="stylesheet" href="style.css" type="text/css"/></head><body>'
        f"<!-- {M('XHTMLCOMMENT')} --><h1>Chapter one</h1><p>Words of the book.</p>"
        '<img src="images/cover.jpg" alt="cover"/></body></html>'
    )
    return builders.write_zip(
        [
            ("mimetype", b"application/epub+zip"),
            ("META-INF/container.xml", container.encode()),
            ("OEBPS/content.opf", opf.encode()),
            ("OEBPS/toc.ncx", ncx.encode()),
            ("OEBPS/chapter1.xhtml", chapter.encode()),
            ("OEBPS/style.css", CSS.encode()),
            ("OEBPS/images/cover.jpg", builders.jpeg()),
        ]
    )


def _ct(data: bytes, body: bytes | None) -> bytes:
    if body is None:
        return rezip(data, drop={"[Content_Types].xml"})
    return rezip(data, replace={"[Content_Types].xml": body})


CASES: tuple[Case, ...] = (
    Case(
        "broken_xml_content_types.docx", lambda t: _ct(builders.docx(), b"<Types><Over"), "damaged"
    ),
    Case("comment.docx", lambda t: builders.docx()),
    Case("dangling_rels.docx", dangling_docx),
    Case("dangling_rels.xlsx", dangling_xlsx),
    Case("dirty.aiff", aiff),
    Case("dirty.avi", _ffmpeg([*_CLIP, "-c:v", "mpeg4"], ".avi")),
    Case("dirty.avif", avif),
    Case("dirty.bmp", bmp),
    Case("dirty.css", lambda t: CSS.encode()),
    Case("dirty.docx", lambda t: builders.docx()),
    Case("dirty.epub", epub),
    Case("dirty.flac", builders.flac),
    Case("dirty.gif", lambda t: builders.gif()),
    Case("dirty.heic", lambda t: builders.heif()),
    Case("dirty.html", html),
    Case("dirty.jpg", lambda t: builders.jpeg()),
    Case("dirty.jxl", jxl, needs="cjxl"),
    Case("dirty.mp3", builders.mp3),
    Case("dirty.mp4", lambda t: builders.mp4(t, "mp4")),
    Case("dirty.odf", odf_formula),
    Case("dirty.odg", lambda t: builders.odg()),
    Case("dirty.odp", lambda t: builders.odp()),
    Case("dirty.ods", lambda t: builders.ods()),
    Case("dirty.odt", lambda t: builders.odt()),
    Case("dirty.ogg", _ffmpeg([*_SINE, "-c:a", "libvorbis"], ".ogg")),
    Case("dirty.pdf", lambda t: builders.pdf()),
    Case("dirty.png", lambda t: builders.png()),
    Case("dirty.ppm", ppm),
    Case("dirty.pptx", lambda t: builders.pptx()),
    Case("dirty.svg", svg),
    Case("dirty.tiff", lambda t: builders.tiff()),
    Case("dirty.torrent", torrent),
    Case("dirty.txt", lambda t: b"Hello, this is a text file.\n"),
    Case("dirty.wav", _ffmpeg(_SINE, ".wav")),
    Case("dirty.webp", lambda t: builders.webp()),
    Case("dirty.wmv", _ffmpeg([*_CLIP, "-c:v", "wmv2", "-c:a", "wmav2"], ".wmv")),
    Case("dirty.xlsx", lambda t: builders.xlsx()),
    Case("dirty_with_nsid.docx", docx_nsid),
    Case("embedded.docx", docx_embedded),
    Case("embedded.odt", lambda t: _odt_object(builders.odt())),
    Case(
        "embedded_corrupted.docx",
        lambda t: corrupted(builders.docx(), "word/media/image1.jpeg"),
        "damaged",
    ),
    Case(
        "embedded_corrupted.odt",
        lambda t: corrupted(builders.odt(), "Pictures/photo.jpg"),
        "damaged",
    ),
    Case(
        "malformed_content_types.docx",
        lambda t: _ct(
            builders.docx(), b'<?xml version="1.0"?><Types><Default Extension="xml"/></Types>'
        ),
        "damaged",
    ),
    Case("no_content_types.docx", lambda t: _ct(builders.docx(), None), "damaged"),
    Case("office_revision_session_ids.docx", docx_revision_sessions),
    Case("revision.docx", lambda t: builders.docx()),
    Case("revision.odt", lambda t: builders.odt()),
    Case("revision_move.docx", docx_move),
    Case("weird.svg", weird_svg),
    Case("weird_producer.odt", weird_producer),
)


def available(case: Case) -> bool:
    return case.needs is None or shutil.which(case.needs) is not None
