import io
import zipfile

from lxml import etree

from sealbox.scrub import Outcome, clean

from . import builders
from .oracle import check_clean


def test_odt_loses_meta_settings_comments_and_rsids(tmp_path):
    result = clean(builders.odt())
    assert result.outcome is Outcome.CLEANED, result.reason
    codes = {f.code for f in result.removed}
    assert {
        "author",
        "dates",
        "software",
        "printer",
        "thumbnail",
        "document_comments",
        "revisions",
        "revision_ids",
        "drawing_names",
        "embedded_media",
        "gps",
    } <= codes
    check_clean(result.data, tmp_path, ".odt")
    with zipfile.ZipFile(io.BytesIO(result.data)) as zf:
        assert zf.namelist()[0] == "mimetype"
        assert zf.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        content = zf.read("content.xml")
        assert builders.ODT_TEXT.encode() + b" continues here" in content
        manifest = etree.fromstring(zf.read("META-INF/manifest.xml"))
        listed = {
            e.get("{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}full-path") for e in manifest
        }
        assert listed == {"/", "content.xml", "styles.xml", "Pictures/photo.jpg"}
        assert set(zf.namelist()) == {
            "mimetype",
            "META-INF/manifest.xml",
            "content.xml",
            "styles.xml",
            "Pictures/photo.jpg",
        }
