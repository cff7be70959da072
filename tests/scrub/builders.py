# ruff: noqa: E501  (fixture XML is kept on one line per part so it reads like the real file)
"""Build test inputs that carry known identifying metadata and planted marker strings."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import pikepdf
from PIL import Image

# Every planted string starts with this, so one search finds any survivor.
MARK = "PLANTEDX"


def marker(label: str) -> str:
    return f"{MARK}{label}"


def pixels(size: tuple[int, int] = (64, 48), mode: str = "RGB") -> Image.Image:
    """A small picture with enough structure that a changed pixel would show."""
    im = Image.new("RGB", size, (10, 200, 30))
    w, h = size
    for x in range(w):
        im.putpixel((x, x % h), ((x * 7) % 256, 0, 255 - (x % 256)))
        im.putpixel((x, (x * 3) % h), (255, (x * 5) % 256, 0))
    return im.convert(mode) if mode != "RGB" else im


def camera_exif(orientation: int = 6) -> Image.Exif:
    """EXIF with GPS, make, model, serials, owner, software, dates, comments and a thumbnail tag."""
    exif = Image.Exif()
    exif[0x010F] = marker("MAKE")
    exif[0x0110] = marker("MODEL")
    exif[0x0131] = marker("SOFTWARE")
    exif[0x013B] = marker("ARTIST")
    exif[0x8298] = marker("COPYRIGHT")
    exif[0x010E] = marker("DESCRIPTION C:\\Users\\source\\secret.jpg")
    exif[0x013C] = marker("HOSTCOMPUTER")
    exif[0x0132] = "2021:03:04 05:06:07"
    exif[0x0112] = orientation
    sub = exif.get_ifd(0x8769)
    sub[0xA431] = marker("BODYSERIAL")
    sub[0xA435] = marker("LENSSERIAL")
    sub[0xA430] = marker("OWNER")
    sub[0xA420] = marker("UNIQUEID")
    sub[0x9003] = "2021:03:04 05:06:07"
    sub[0x9004] = "2021:03:04 05:06:07"
    sub[0x9286] = b"ASCII\x00\x00\x00" + marker("USERCOMMENT").encode()
    sub[0x927C] = marker("MAKERNOTE").encode()
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (52.0, 31.0, 12.0)
    gps[3] = "E"
    gps[4] = (13.0, 24.0, 1.0)
    gps[29] = "2021:03:04"
    return exif


XMP = (
    '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
    f"<dc:creator><rdf:Seq><rdf:li>{marker('XMPCREATOR')}</rdf:li></rdf:Seq></dc:creator>"
    f"<xmpMM:DocumentID>{marker('XMPDOCID')}</xmpMM:DocumentID>"
    f"<xmp:CreatorTool>{marker('XMPTOOL')}</xmp:CreatorTool>"
    "</rdf:Description></rdf:RDF></x:xmpmeta>"
    '<?xpacket end="w"?>'
)
ICC = None


def _icc() -> bytes:
    from PIL import ImageCms

    profile = ImageCms.createProfile("sRGB")
    return ImageCms.ImageCmsProfile(profile).tobytes()


def jpeg(size=(64, 48), orientation: int = 6) -> bytes:
    """A JPEG with EXIF (GPS, serials...), XMP, ICC, a comment and bytes after EOI."""
    out = io.BytesIO()
    pixels(size).save(
        out,
        "JPEG",
        exif=camera_exif(orientation).tobytes(),
        comment=marker("COMMENT").encode(),
        icc_profile=_icc(),
        xmp=XMP.encode(),
        quality=90,
    )
    data = out.getvalue()
    # An IPTC (APP13) segment with a by-line, inserted after SOI.
    iptc_body = (
        b"\x1c\x02\x50" + len(marker("BYLINE")).to_bytes(2, "big") + marker("BYLINE").encode()
    )
    app13 = b"Photoshop 3.0\x008BIM\x04\x04\x00\x00" + len(iptc_body).to_bytes(4, "big") + iptc_body
    seg = b"\xff\xed" + (len(app13) + 2).to_bytes(2, "big") + app13
    return data[:2] + seg + data[2:] + marker("TRAILER").encode()


def png(size=(64, 48)) -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", marker("PNGAUTHOR"))
    info.add_text("Comment", marker("PNGCOMMENT"), zip=True)
    info.add_itxt("Description", marker("PNGDESC"))
    info.add_itxt("XML:com.adobe.xmp", XMP)
    out = io.BytesIO()
    pixels(size, "RGBA").save(
        out, "PNG", pnginfo=info, exif=camera_exif().tobytes(), icc_profile=_icc()
    )
    return out.getvalue() + marker("TRAILER").encode()


def webp(size=(64, 48), lossless: bool = True) -> bytes:
    out = io.BytesIO()
    pixels(size).save(
        out,
        "WEBP",
        lossless=lossless,
        exif=camera_exif().tobytes(),
        xmp=XMP.encode(),
        icc_profile=_icc(),
    )
    return out.getvalue()


def gif(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    frames = [pixels(size).convert("P"), pixels(size).rotate(180).convert("P")]
    frames[0].save(
        out,
        "GIF",
        save_all=True,
        append_images=frames[1:],
        loop=0,
        duration=100,
        comment=marker("GIFCOMMENT").encode(),
    )
    data = out.getvalue()
    xmp_ext = b"\x21\xff\x0bXMP DataXMP" + _sub_blocks(XMP.encode())
    return data[:-1] + xmp_ext + b"\x3b" + marker("TRAILER").encode()


def _sub_blocks(payload: bytes) -> bytes:
    out = b""
    for i in range(0, len(payload), 255):
        part = payload[i : i + 255]
        out += bytes([len(part)]) + part
    return out + b"\x00"


def tiff(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    exif = camera_exif()
    pixels(size).save(out, "TIFF", exif=exif.tobytes(), icc_profile=_icc())
    return out.getvalue()


def heif(size=(64, 48)) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    pixels(size).save(out, "HEIF", exif=camera_exif().tobytes(), xmp=XMP.encode(), quality=90)
    return out.getvalue()


def pdf(with_js: bool = True, pages: int = 2) -> bytes:
    """A PDF with Info, XMP, /ID, JavaScript, an embedded file, a JPEG with EXIF, annotations."""
    doc = pikepdf.new()
    font = doc.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    jpg = jpeg((32, 24), orientation=1)
    image = pikepdf.Stream(doc, jpg)
    image.Type = pikepdf.Name.XObject
    image.Subtype = pikepdf.Name.Image
    image.Width, image.Height = 32, 24
    image.ColorSpace = pikepdf.Name.DeviceRGB
    image.BitsPerComponent = 8
    image.Filter = pikepdf.Name.DCTDecode
    image.Metadata = doc.make_stream(
        XMP.encode(), Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML
    )
    for i in range(pages):
        content = (
            f"BT /F1 24 Tf 72 720 Td (Visible page {i + 1}) Tj ET q 64 0 0 48 72 600 cm /Im0 Do Q"
        )
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, 612, 792],
            Contents=doc.make_stream(content.encode()),
            Resources=pikepdf.Dictionary(
                Font=pikepdf.Dictionary(F1=font), XObject=pikepdf.Dictionary(Im0=image)
            ),
            PieceInfo=pikepdf.Dictionary(App=pikepdf.Dictionary(Private=marker("PIECEINFO"))),
            Annots=[
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Text,
                    Rect=[10, 10, 30, 30],
                    Contents="note",
                    T=marker("ANNOTAUTHOR"),
                    M="D:20210304050607Z",
                )
            ],
        )
        doc.pages.append(pikepdf.Page(page))
    with doc.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = [marker("XMPAUTHOR")]
        meta["xmp:CreatorTool"] = marker("XMPTOOL")
        meta["xmpMM:DocumentID"] = marker("XMPDOCID")
    doc.docinfo["/Author"] = marker("INFOAUTHOR")
    doc.docinfo["/Creator"] = marker("INFOCREATOR")
    doc.docinfo["/Producer"] = marker("INFOPRODUCER")
    doc.docinfo["/Title"] = marker("INFOTITLE")
    doc.docinfo["/CreationDate"] = "D:20210304050607Z"
    if with_js:
        js = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=f"app.alert('{marker('JS')}');")
        doc.Root.OpenAction = js
        doc.Root.Names = pikepdf.Dictionary(
            JavaScript=pikepdf.Dictionary(Names=["a", doc.make_indirect(js)])
        )
        attached = pikepdf.AttachedFileSpec(
            doc, marker("ATTACHMENT").encode(), filename="secret.txt"
        )
        doc.attachments["secret.txt"] = attached
    doc.trailer.ID = pikepdf.Array(
        [pikepdf.String(marker("TRAILERID0")), pikepdf.String(marker("TRAILERID1"))]
    )
    out = io.BytesIO()
    doc.save(out, static_id=False)
    data = out.getvalue()
    # qpdf rewrites /ID on save; plant ours byte-for-byte with an incremental-looking tail.
    return data


def write_zip(members: list[tuple[str, bytes]], comment: bytes = b"") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members:
            info = zipfile.ZipInfo(name, date_time=(2021, 3, 4, 5, 6, 8))
            info.comment = marker("ENTRYCOMMENT").encode()
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            zf.writestr(info, body)
        zf.comment = comment or marker("ZIPCOMMENT").encode()
    return out.getvalue()


def ffmpeg(args: list[str], out: Path) -> bytes:
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *args, str(out)], check=True)
    return out.read_bytes()


# ---------------------------------------------------------------- Office Open XML
_CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="jpeg" ContentType="image/jpeg"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    '<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>'
    "{overrides}</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="{main}"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
    '<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/>'
    '<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail" Target="docProps/thumbnail.jpeg"/>'
    "</Relationships>"
)
_CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    f"<dc:title>{marker('CORETITLE')}</dc:title><dc:creator>{marker('COREAUTHOR')}</dc:creator>"
    f"<cp:lastModifiedBy>{marker('LASTMODBY')}</cp:lastModifiedBy><cp:keywords>{marker('KEYWORDS')}</cp:keywords>"
    f"<dc:description>{marker('COREDESC')}</dc:description><cp:revision>7</cp:revision>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">2021-03-04T05:06:07Z</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">2021-03-05T05:06:07Z</dcterms:modified>'
    "</cp:coreProperties>"
)
_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    f"<Template>{marker('TEMPLATE')}.dotm</Template><TotalTime>42</TotalTime>"
    f"<Application>{marker('APPLICATION')}</Application><Company>{marker('COMPANY')}</Company>"
    f"<Manager>{marker('MANAGER')}</Manager><AppVersion>16.0000</AppVersion></Properties>"
)
_CUSTOM = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Owner">'
    f"<vt:lpwstr>{marker('CUSTOMPROP')}</vt:lpwstr></property></Properties>"
)
_W_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
    'xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="w14 w15"'
)
DOCX_TEXT = "Visible body text of the report"


def docx() -> bytes:
    """A Word document with planted authors, rsids, docId, paraId, comments, tracked changes,
    a template path, a drawing whose description holds a path, and a JPEG with GPS inside."""
    pic = (
        '<w:r><w:drawing><wp:inline><wp:extent cx="609600" cy="457200"/>'
        f'<wp:docPr id="1" name="{marker("DRAWNAME")} C:\\Users\\source\\photo.jpg" descr="{marker("DRAWDESCR")}"/>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:pic><pic:nvPicPr><pic:cNvPr id="0" name="photo.jpg" descr="C:\\Users\\source\\photo.jpg"/><pic:cNvPicPr/></pic:nvPicPr>'
        '<pic:blipFill><a:blip r:embed="rId10"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="609600" cy="457200"/></a:xfrm><a:prstGeom prst="rect"/></pic:spPr>'
        "</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
    )
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_W_NS}><w:body>'
        f'<w:p w14:paraId="1A2B3C4D" w14:textId="77777777" w:rsidR="00A1B2C3" w:rsidRDefault="00A1B2C3">'
        f'<w:commentRangeStart w:id="0"/><w:r w:rsidR="00A1B2C3"><w:t>{DOCX_TEXT}</w:t></w:r>'
        '<w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>'
        f'<w:ins w:id="1" w:author="{marker("TRACKAUTHOR")}" w:date="2021-03-04T05:06:07Z"><w:r><w:t> inserted</w:t></w:r></w:ins>'
        f'<w:del w:id="2" w:author="{marker("TRACKAUTHOR2")}" w:date="2021-03-04T05:06:07Z"><w:r><w:delText> deleted</w:delText></w:r></w:del>'
        f"</w:p><w:p>{pic}</w:p><w:sectPr/></w:body></w:document>"
    )
    comments = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:comments {_W_NS}>'
        f'<w:comment w:id="0" w:author="{marker("COMMENTAUTHOR")}" w:date="2021-03-04T05:06:07Z" w:initials="XY">'
        f"<w:p><w:r><w:t>{marker('COMMENTTEXT')}</w:t></w:r></w:p></w:comment></w:comments>"
    )
    people = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w15:people {_W_NS}>'
        f'<w15:person w15:author="{marker("PERSON")}"><w15:presenceInfo w15:providerId="AD" w15:userId="{marker("USERID")}"/></w15:person></w15:people>'
    )
    settings = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:settings {_W_NS}>'
        '<w:attachedTemplate r:id="rId1"/><w:defaultTabStop w:val="720"/>'
        f'<w:docVars><w:docVar w:name="x" w:val="{marker("DOCVAR")}"/></w:docVars>'
        '<w:rsids><w:rsidRoot w:val="00A1B2C3"/><w:rsid w:val="00A1B2C3"/></w:rsids>'
        '<w14:docId w14:val="5F1E2D3C"/><w15:docId w15:val="{8A7B6C5D-0000-4000-8000-123456789ABC}"/>'
        "</w:settings>"
    )
    settings_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" '
        f'Target="file:///C:/Users/{marker("TEMPLATEPATH")}/Normal.dotm" TargetMode="External"/></Relationships>'
    )
    doc_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="comments.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.microsoft.com/office/2011/relationships/people" Target="people.xml"/>'
        '<Relationship Id="rId10" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.jpeg"/>'
        "</Relationships>"
    )
    wml = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    overrides = (
        f'<Override PartName="/word/document.xml" ContentType="{wml}.document.main+xml"/>'
        f'<Override PartName="/word/settings.xml" ContentType="{wml}.settings+xml"/>'
        f'<Override PartName="/word/comments.xml" ContentType="{wml}.comments+xml"/>'
        '<Override PartName="/word/people.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.people+xml"/>'
    )
    return write_zip(
        [
            ("[Content_Types].xml", _CT.format(overrides=overrides).encode()),
            ("_rels/.rels", _ROOT_RELS.format(main="word/document.xml").encode()),
            ("docProps/core.xml", _CORE.encode()),
            ("docProps/app.xml", _APP.encode()),
            ("docProps/custom.xml", _CUSTOM.encode()),
            ("docProps/thumbnail.jpeg", jpeg((16, 12))),
            ("word/document.xml", document.encode()),
            ("word/_rels/document.xml.rels", doc_rels.encode()),
            ("word/settings.xml", settings.encode()),
            ("word/_rels/settings.xml.rels", settings_rels.encode()),
            ("word/comments.xml", comments.encode()),
            ("word/people.xml", people.encode()),
            ("word/media/image1.jpeg", jpeg()),
        ]
    )


# ---------------------------------------------------------------- audio and video
_AV_META = [
    "-metadata",
    f"title={marker('AVTITLE')}",
    "-metadata",
    f"artist={marker('AVARTIST')}",
    "-metadata",
    f"comment={marker('AVCOMMENT')}",
    "-metadata",
    "creation_time=2021-03-04T05:06:07Z",
    "-metadata",
    f"location=+52.5200+013.4050/{marker('LOC')}",
    "-metadata",
    f"encoder={marker('AVENCODER')}",
]


def _lavfi(video: bool, seconds: float = 1.0) -> list[str]:
    args = ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    if video:
        args += ["-f", "lavfi", "-i", f"testsrc=size=64x48:rate=10:duration={seconds}"]
    return args


def mp3(tmp: Path) -> bytes:
    from mutagen.apev2 import APEv2
    from mutagen.id3 import APIC, ID3, TXXX

    path = tmp / "in.mp3"
    ffmpeg([*_lavfi(False), *_AV_META, "-c:a", "libmp3lame", "-b:a", "64k"], path)
    tags = ID3(path)
    tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="cover", data=jpeg((16, 12))))
    tags.add(TXXX(encoding=3, desc="where", text=[marker("TXXX")]))
    tags.save(path)
    ape = APEv2()
    ape["Artist"] = marker("APEARTIST")
    ape.save(path)
    with path.open("ab") as fh:  # an ID3v1 tag at the very end
        fh.write(b"TAG" + marker("ID3V1").encode().ljust(125, b"\x00"))
    return path.read_bytes()


def flac(tmp: Path) -> bytes:
    from mutagen.flac import FLAC, Picture

    path = tmp / "in.flac"
    ffmpeg([*_lavfi(False), *_AV_META, "-c:a", "flac"], path)
    audio = FLAC(path)
    audio["ARTIST"] = marker("FLACARTIST")
    audio["LOCATION"] = marker("FLACLOC")
    pic = Picture()
    pic.type, pic.mime, pic.data = 3, "image/jpeg", jpeg((16, 12))
    audio.add_picture(pic)
    audio.save()
    return path.read_bytes()


def m4a(tmp: Path) -> bytes:
    from mutagen.mp4 import MP4, MP4Cover

    path = tmp / "in.m4a"
    ffmpeg([*_lavfi(False), *_AV_META, "-c:a", "aac", "-b:a", "64k"], path)
    audio = MP4(path)
    audio["\xa9xyz"] = ["+52.5200+013.4050/"]
    audio["\xa9ART"] = [marker("M4AARTIST")]
    audio["\xa9day"] = ["2021-03-04"]
    audio["covr"] = [MP4Cover(jpeg((16, 12)), imageformat=MP4Cover.FORMAT_JPEG)]
    audio.save()
    return path.read_bytes()


def mp4(tmp: Path, container: str = "mp4") -> bytes:
    """A clip with title/artist/location/make/model tags, a subtitle track and chapters."""
    srt = tmp / "subs.srt"
    srt.write_text(f"1\n00:00:00,000 --> 00:00:00,900\n{marker('SUBTITLE')}\n")
    chapters = tmp / "chapters.txt"
    chapters.write_text(
        f";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=500\ntitle={marker('CHAPTER')}\n"
    )
    path = tmp / f"in.{container}"
    vcodec = (
        ["-c:v", "libx264", "-preset", "ultrafast"] if container != "webm" else ["-c:v", "libvpx"]
    )
    acodec = ["-c:a", "aac"] if container != "webm" else ["-c:a", "libopus"]
    scodec = (
        ["-c:s", "mov_text"]
        if container in ("mp4", "mov")
        else ["-c:s", "srt" if container == "mkv" else "webvtt"]
    )
    ffmpeg(
        [
            *_lavfi(True),
            "-i",
            str(srt),
            "-i",
            str(chapters),
            "-map",
            "1:v",
            "-map",
            "0:a",
            "-map",
            "2:s",
            "-map_metadata",
            "3",
            "-map_chapters",
            "3",
            *_AV_META,
            "-metadata",
            f"make={marker('MAKE')}",
            "-metadata",
            f"model={marker('MODEL')}",
            "-metadata:s:v",
            f"handler_name={marker('HANDLER')}",
            *vcodec,
            *acodec,
            *scodec,
            *(["-movflags", "+use_metadata_tags"] if container in ("mp4", "mov") else []),
        ],
        path,
    )
    return path.read_bytes()


def xlsx() -> bytes:
    """A workbook with core/app properties, a legacy comment with author, an absPath, ids."""
    sml = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{sml}" xmlns:r="{rel}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:x15ac="http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac" '
        'xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision" mc:Ignorable="x15ac xr">'
        '<fileVersion appName="xl" lastEdited="7" lowestEdited="7" rupBuild="22328"/>'
        f'<mc:AlternateContent><mc:Choice Requires="x15"><x15ac:absPath url="C:\\Users\\{marker("ABSPATH")}\\"/></mc:Choice></mc:AlternateContent>'
        f'<xr:revisionPtr revIDLastSave="0" documentId="8_{{{marker("DOCUMENTID")}}}" xr6:coauthVersionLast="47" '
        'xmlns:xr6="http://schemas.microsoft.com/office/spreadsheetml/2016/revision6"/>'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{sml}" xmlns:r="{rel}" '
        'xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision" '
        f'xr:uid="{{{marker("SHEETUID")}}}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Visible cell</t></is></c></row></sheetData>'
        '<legacyDrawing r:id="rId2"/></worksheet>'
    )
    comments = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><comments xmlns="{sml}">'
        f'<authors><author>{marker("XLAUTHOR")}</author></authors><commentList><comment ref="A1" authorId="0">'
        f"<text><t>{marker('XLCOMMENT')}</t></text></comment></commentList></comments>"
    )
    vml = f'<xml xmlns:v="urn:schemas-microsoft-com:vml"><v:shape id="{marker("VML")}"/></xml>'
    wb_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    )
    sheet_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="../comments1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing" Target="../drawings/vmlDrawing1.vml"/>'
        "</Relationships>"
    )
    sml_ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = (
        f'<Override PartName="/xl/workbook.xml" ContentType="{sml_ct}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{sml_ct}.worksheet+xml"/>'
        f'<Override PartName="/xl/comments1.xml" ContentType="{sml_ct}.comments+xml"/>'
    )
    return write_zip(
        [
            ("[Content_Types].xml", _CT.format(overrides=overrides).encode()),
            ("_rels/.rels", _ROOT_RELS.format(main="xl/workbook.xml").encode()),
            ("docProps/core.xml", _CORE.encode()),
            ("docProps/app.xml", _APP.encode()),
            ("xl/workbook.xml", workbook.encode()),
            ("xl/_rels/workbook.xml.rels", wb_rels.encode()),
            ("xl/worksheets/sheet1.xml", sheet.encode()),
            ("xl/worksheets/_rels/sheet1.xml.rels", sheet_rels.encode()),
            ("xl/comments1.xml", comments.encode()),
            ("xl/drawings/vmlDrawing1.vml", vml.encode()),
            ("xl/printerSettings/printerSettings1.bin", marker("PRINTER").encode()),
        ]
    )


def pptx() -> bytes:
    """A presentation with comment authors, a slide with a picture named by path, creationIds."""
    pml = (
        'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        'xmlns:p14="http://schemas.microsoft.com/office/powerpoint/2010/main"'
    )
    presentation = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:presentation {pml}>'
        '<p:sldIdLst><p:sldId id="256" r:id="rId2"/></p:sldIdLst><p:sldSz cx="9144000" cy="6858000"/></p:presentation>'
    )
    slide = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:sld {pml}><p:cSld><p:spTree>'
        '<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>'
        f'<p:sp><p:nvSpPr><p:cNvPr id="2" name="Title 1" descr="{marker("SHAPEDESCR")}"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr>'
        "<p:spPr/><p:txBody><a:bodyPr/><a:p><a:r><a:t>Visible slide text</a:t></a:r></a:p></p:txBody></p:sp>"
        f'<p:pic><p:nvPicPr><p:cNvPr id="3" name="{marker("PICNAME")} D:\\leak\\photo.jpg"/><p:cNvPicPr/><p:nvPr/></p:nvPicPr>'
        '<p:blipFill><a:blip r:embed="rId2"/></p:blipFill><p:spPr/></p:pic>'
        '</p:spTree></p:cSld><p:extLst><p:ext uri="{BB962C8B-B14F-4D97-AF65-F5344CB8AC3E}">'
        f'<p14:creationId val="{9000000 + len(MARK)}"/></p:ext></p:extLst></p:sld>'
    )
    authors = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<p:cmAuthorLst {pml}><p:cmAuthor id="0" name="{marker("PPTAUTHOR")}" initials="XY" lastIdx="1" clrIdx="0"/></p:cmAuthorLst>'
    )
    pres_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide1.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/commentAuthors" Target="commentAuthors.xml"/>'
        "</Relationships>"
    )
    slide_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="../media/image1.png"/>'
        "</Relationships>"
    )
    pml_ct = "application/vnd.openxmlformats-officedocument.presentationml"
    overrides = (
        f'<Override PartName="/ppt/presentation.xml" ContentType="{pml_ct}.presentation.main+xml"/>'
        f'<Override PartName="/ppt/slides/slide1.xml" ContentType="{pml_ct}.slide+xml"/>'
        f'<Override PartName="/ppt/commentAuthors.xml" ContentType="{pml_ct}.commentAuthors+xml"/>'
    )
    return write_zip(
        [
            ("[Content_Types].xml", _CT.format(overrides=overrides).encode()),
            ("_rels/.rels", _ROOT_RELS.format(main="ppt/presentation.xml").encode()),
            ("docProps/core.xml", _CORE.encode()),
            ("ppt/presentation.xml", presentation.encode()),
            ("ppt/_rels/presentation.xml.rels", pres_rels.encode()),
            ("ppt/slides/slide1.xml", slide.encode()),
            ("ppt/slides/_rels/slide1.xml.rels", slide_rels.encode()),
            ("ppt/commentAuthors.xml", authors.encode()),
            ("ppt/media/image1.png", png()),
        ]
    )


# ---------------------------------------------------------------- OpenDocument
_ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:officeooo="http://openoffice.org/2009/office" '
    'xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0" office:version="1.3"'
)
ODT_TEXT = "Visible paragraph of the report"


def odt(mime: str = "application/vnd.oasis.opendocument.text") -> bytes:
    """A text document with meta.xml, settings with a printer, an annotation, tracked changes,
    rsids, a picture with title/description, and a JPEG with GPS inside."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODF_NS}>'
        '<office:automatic-styles><style:style style:name="P1" style:family="paragraph">'
        '<style:text-properties officeooo:rsid="0012ab34" officeooo:paragraph-rsid="0012ab34"/></style:style>'
        "</office:automatic-styles><office:body><office:text>"
        '<text:tracked-changes><text:changed-region text:id="ct1"><text:insertion><office:change-info>'
        f"<dc:creator>{marker('ODFTRACK')}</dc:creator><dc:date>2021-03-04T05:06:07</dc:date>"
        "</office:change-info></text:insertion></text:changed-region></text:tracked-changes>"
        f'<text:p text:style-name="P1">{ODT_TEXT}<office:annotation><dc:creator>{marker("ODFCOMMENTER")}</dc:creator>'
        f"<dc:date>2021-03-04T05:06:07</dc:date><text:p>{marker('ODFCOMMENT')}</text:p></office:annotation> continues here</text:p>"
        '<text:p><draw:frame draw:name="Image1" svg:width="1cm" svg:height="1cm">'
        '<draw:image xlink:href="Pictures/photo.jpg" xlink:type="simple"/>'
        f"<svg:title>{marker('ODFIMGTITLE')}</svg:title><svg:desc>{marker('ODFIMGDESC')}</svg:desc></draw:frame></text:p>"
        "</office:text></office:body></office:document-content>"
    )
    styles = f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {_ODF_NS}/>'
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_ODF_NS}><office:meta>'
        f"<meta:initial-creator>{marker('ODFCREATOR')}</meta:initial-creator><dc:creator>{marker('ODFLASTBY')}</dc:creator>"
        "<meta:creation-date>2021-03-04T05:06:07</meta:creation-date><dc:date>2021-03-05T05:06:07</dc:date>"
        f"<meta:generator>{marker('ODFGENERATOR')}</meta:generator><dc:title>{marker('ODFTITLE')}</dc:title>"
        f'<meta:user-defined meta:name="Owner">{marker("ODFUSERDEF")}</meta:user-defined>'
        "</office:meta></office:document-meta>"
    )
    settings = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-settings {_ODF_NS}><office:settings>'
        '<config:config-item-set config:name="ooo:configuration-settings">'
        f'<config:config-item config:name="PrinterName" config:type="string">{marker("PRINTER")}</config:config-item>'
        "</config:config-item-set></office:settings></office:document-settings>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mime}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="settings.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="Thumbnails/thumbnail.png" manifest:media-type="image/png"/>'
        '<manifest:file-entry manifest:full-path="Pictures/photo.jpg" manifest:media-type="image/jpeg"/>'
        "</manifest:manifest>"
    )
    return write_zip(
        [
            ("mimetype", mime.encode()),
            ("META-INF/manifest.xml", manifest.encode()),
            ("content.xml", content.encode()),
            ("styles.xml", styles.encode()),
            ("meta.xml", meta.encode()),
            ("settings.xml", settings.encode()),
            ("Thumbnails/thumbnail.png", png((16, 12))),
            ("Pictures/photo.jpg", jpeg()),
        ]
    )


def ods() -> bytes:
    return odt("application/vnd.oasis.opendocument.spreadsheet")


def odp() -> bytes:
    return odt("application/vnd.oasis.opendocument.presentation")


def odg() -> bytes:
    return odt("application/vnd.oasis.opendocument.graphics")


# ---------------------------------------------------------------- hostile archives
def nested_zip(depth: int) -> bytes:
    data = b"innermost text\n"
    name = "note.txt"
    for level in range(depth):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(name, data)
        data, name = out.getvalue(), f"level{level}.zip"
    return data


def zip_bomb_nested(width: int = 16, levels: int = 4, leaf: int = 64 * 1024 * 1024) -> bytes:
    """42.zip-style: each level holds `width` copies of the level below; leaves are zeros."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("zeros.txt", "w", force_zip64=True) as fh,
    ):
        block = b"\x00" * (1 << 20)
        for _ in range(leaf >> 20):
            fh.write(block)
    data = out.getvalue()
    for level in range(levels):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for i in range(width):
                zf.writestr(f"l{level}_{i}.zip", data)
        data = out.getvalue()
    return data


def zip_bomb_overlapping(entries: int = 200) -> bytes:
    """Fifield-style: many central-directory entries point at the same compressed kernel."""
    import struct
    import zlib

    kernel_plain = b"A" * (1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    kernel = comp.compress(kernel_plain) + comp.flush()
    crc = zlib.crc32(kernel_plain)
    local = (
        struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            20,
            0,
            8,
            0,
            0x21,
            crc,
            len(kernel),
            len(kernel_plain),
            5,
            0,
        )
        + b"a.txt"
        + kernel
    )
    central = b""
    for i in range(entries):
        name = f"f{i}.txt".encode()
        central += (
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(kernel),
                len(kernel_plain),
                len(name),
                0,
                0,
                0,
                0,
                0,
                0,
            )
            + name
        )
    end = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, entries, entries, len(central), len(local), 0
    )
    return local + central + end


def big_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A decompression bomb: a tiny file claiming 2.5 gigapixels of all-zero rows."""
    import struct
    import zlib

    def chunk(ctype: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload))
            + ctype
            + payload
            + struct.pack(">I", zlib.crc32(ctype + payload))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    comp = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    body = b"".join(comp.compress(row) for _ in range(2000)) + comp.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
