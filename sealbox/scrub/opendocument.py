"""OpenDocument (odt, ods, odp, odg): known parts cleaned or removed; unknown parts fail closed.

Removed: meta.xml, settings.xml (printer names and setup), thumbnails, RDF metadata, signatures,
comments (annotations) with their authors, LibreOffice rsids, picture titles and descriptions,
and the hidden content of `odfhidden` (notes, hidden slides, sheets, rows and columns, tracked
changes). Pictures and embedded objects go through the same registry.
"""

from __future__ import annotations

import posixpath
import re

from lxml import etree

from sealbox.scrub import archive, odfhidden, officezip, xmlparts
from sealbox.scrub.cleaner import Cleaned, Context
from sealbox.scrub.errors import CannotClean
from sealbox.scrub.model import Finding, Notice

KIND = "application/vnd.oasis.opendocument"
MANIFEST_NS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
_OBJ = r"(Object \d+/)*"  # embedded charts, formulas and documents, nested
_DROP = re.compile(
    rf"{_OBJ}meta\.xml|{_OBJ}settings\.xml|{_OBJ}manifest\.rdf|layout-cache|Thumbnails/.*"
    r"|Configurations2/.*|ObjectReplacements/.*|META-INF/documentsignatures\.xml"
    r"|META-INF/macrosignatures\.xml"
)
_WRITTEN_HERE = frozenset({"mimetype", "META-INF/manifest.xml"})
_LAYOUT = officezip.Layout(
    xml=re.compile(rf"{_OBJ}(content|styles)\.xml"),
    media=re.compile(rf"{_OBJ}(Pictures|media)/[^/]+"),
)
_META = {
    "initial-creator": "author",
    "creator": "author",
    "printed-by": "author",
    "generator": "software",
    "title": "title",
    "subject": "title",
    "description": "title",
    "keyword": "keywords",
    "user-defined": "custom_properties",
    "template": "paths",
    "editing-cycles": "app_properties",
    "editing-duration": "app_properties",
    "hyperlink-behaviour": None,
    "document-statistic": None,
    "language": None,
}
_DATES = {"creation-date", "date", "print-date"}
_DRAWING_TEXT = {"title", "desc"}
RESIDUAL = (Notice("document_content"),)


def inspect(data: bytes, ctx: Context) -> tuple[Finding, ...]:
    """What identifying metadata the document holds."""
    return clean(data, ctx).removed


def clean(data: bytes, ctx: Context) -> Cleaned:
    """A copy with only the content, styles and cleaned pictures."""
    arc = archive.read(data, ctx, KIND)
    if not arc.members or arc.members[0].name != "mimetype":
        raise CannotClean("damaged", KIND)
    found: list[Finding] = list(arc.findings)
    dropped = {m.name for m in arc.members if m.is_dir or _DROP.fullmatch(m.name)}
    for m in arc.members:
        if m.name in dropped and not m.is_dir:
            _describe_dropped(m.name, m.data, found)
    manifest = next((m.data for m in arc.members if m.name == "META-INF/manifest.xml"), None)
    if manifest is None:
        raise CannotClean("damaged", KIND)
    out = officezip.rebuild(
        arc.members,
        dropped | _WRITTEN_HERE,
        _LAYOUT,
        ctx,
        found,
        lambda _, data: _clean_xml(data, found),
    )
    out[:0] = [
        ("mimetype", arc.members[0].data),
        ("META-INF/manifest.xml", _clean_manifest(manifest, dropped)),
    ]
    return Cleaned(archive.write(out, stored=frozenset({"mimetype"})), tuple(found), RESIDUAL)


def _describe_dropped(name: str, data: bytes, found: list) -> None:
    base = posixpath.basename(name)
    if name.startswith("Thumbnails/"):
        found.append(Finding("thumbnail"))
    elif base == "settings.xml" and b"Printer" in data:
        found.append(Finding("printer"))
    elif "signatures" in name:
        found.append(Finding("author"))
    elif base == "meta.xml":
        root = xmlparts.parse(data, KIND)
        dates = 0
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            tag = xmlparts.local(el.tag)
            if tag in _DATES:
                dates += 1
            elif _META.get(tag):
                found.append(Finding(_META[tag]))
        if dates:
            found.append(Finding("dates", dates))
    elif name == "manifest.rdf":
        found.append(Finding("metadata"))


def _clean_manifest(data: bytes, dropped: set[str]) -> bytes:
    root = xmlparts.parse(data, KIND)
    for entry in list(root):
        path = entry.get(f"{{{MANIFEST_NS}}}full-path") or ""
        if entry.find(f"{{{MANIFEST_NS}}}encryption-data") is not None:
            raise CannotClean("encrypted")
        if path in dropped or any(path.startswith(d) for d in dropped if d.endswith("/")):
            xmlparts.remove(entry)
    return xmlparts.dump(root)


def _clean_xml(data: bytes, found: list) -> bytes:
    root = xmlparts.parse(data, KIND)
    odfhidden.remove(root, found)
    comments = 0
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            officezip.drop_xml_comments(el)
            continue
        tag = xmlparts.local(el.tag)
        if tag == "annotation":
            comments += 1
            xmlparts.remove(el)
            continue
        if tag == "annotation-end":
            xmlparts.remove(el)
            continue
        if tag in _DRAWING_TEXT and "svg" in (etree.QName(el).namespace or ""):
            found.append(Finding("drawing_names"))
            xmlparts.remove(el)
            continue
        for attr in list(el.attrib):
            lname = xmlparts.local(attr)
            if "rsid" in lname:
                del el.attrib[attr]
                found.append(Finding("revision_ids"))
    if comments:
        found.append(Finding("document_comments", comments))
    return xmlparts.dump(root)
