"""Tiny made-up files the zygote cleans once before serving, so that each forked child starts
with the lazy parts of Pillow, pikepdf, lxml and zipfile already loaded (a cold child pays
5-15 ms per file for them). No user data is involved: every sample is generated here.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Iterator

log = logging.getLogger(__name__)

_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="png" ContentType="image/png"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="{main}"/>'
    "</Relationships>"
)
_ODF_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:'
    'tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.text"/></manifest:manifest>'
)
_ODF_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:'
    'names:tc:opendocument:xmlns:office:1.0"><office:body/></office:document-content>'
)


def _zip(members: list[tuple[str, bytes | str]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members:
            zf.writestr(name, body)
    return out.getvalue()


def samples() -> Iterator[bytes]:
    """One small file per format family."""
    import pikepdf
    from PIL import Image

    picture = Image.new("RGB", (8, 8), (200, 100, 50))
    images = {}
    for fmt in ("JPEG", "PNG", "WEBP", "GIF", "TIFF"):
        buf = io.BytesIO()
        picture.save(buf, fmt)
        images[fmt] = buf.getvalue()
    yield from images.values()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    buf = io.BytesIO()
    pdf.save(buf)
    yield buf.getvalue()
    for main, body in (
        (
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body/></w:document>',
        ),
        (
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
        ),
    ):
        yield _zip(
            [("[Content_Types].xml", _CT), ("_rels/.rels", _RELS.format(main=main)), (main, body)]
        )
    yield _zip(
        [
            ("mimetype", "application/vnd.oasis.opendocument.text"),
            ("META-INF/manifest.xml", _ODF_MANIFEST),
            ("content.xml", _ODF_CONTENT),
        ]
    )
    yield _zip([("a.txt", "words"), ("b.png", images["PNG"])])
    yield b"<html><head><title>t</title></head><body>words</body></html>"


def warm() -> None:
    """Clean each sample once; failures only mean less warmth, never an error."""
    from sealbox.scrub.registry import clean

    try:
        for data in samples():
            clean(data)
    except Exception:  # warming is best effort: a cold child is only slower
        log.debug("scrub warm-up incomplete", exc_info=True)
