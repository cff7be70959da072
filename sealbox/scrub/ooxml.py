"""Office Open XML (docx, xlsx, pptx): every part is known and cleaned, or the file fails closed.

Dropped parts: core/app/custom properties, thumbnails, comments and their authors, people and
persons lists, printer settings, custom XML, sensitivity labels and add-in data, revision logs,
speaker notes and hidden slides (`slides`), hidden sheets (`sheets`). In the XML that stays:
rsids, nsids, w14/w15 docIds, paraId/textId and other unique ids, tracked changes (accepted,
with their authors, dates and deleted text), hidden text, hidden rows and columns, attached
templates and absolute paths, drawing names and descriptions. Embedded media go through the
same registry.
"""

from __future__ import annotations

import posixpath
import re

from lxml import etree

from sealbox.scrub import archive, officezip, sheets, slides, xmlparts
from sealbox.scrub.cleaner import Cleaned, Context
from sealbox.scrub.errors import damaged
from sealbox.scrub.model import Finding, Notice

KIND = "application/vnd.openxmlformats-officedocument"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"

# Parts removed outright, with what removing them means for the person.
_DROP = [
    (r"docProps/core\.xml", None),  # findings come from reading it
    (r"docProps/app\.xml", None),
    (r"docProps/custom\.xml", "custom_properties"),
    (r"docProps/thumbnail\.\w+", "thumbnail"),
    (r"(word|xl|ppt)/comments\d*\.xml", None),
    (r"ppt/comments/[^/]+\.xml", None),
    (r"word/comments(Extended|Ids|Extensible)\.xml", None),
    (r"(word|ppt)/people\.xml|ppt/commentAuthors\.xml|ppt/authors\.xml", "people"),
    (r"xl/persons/[^/]+\.xml", "people"),
    (r"xl/threadedComments/[^/]+\.xml", None),
    (r"(word|xl|ppt)/printerSettings/[^/]+", "printer"),
    (r"customXml/.+|(word|xl|ppt)/customXml/.+", "custom_xml"),
    (r"xl/drawings/vmlDrawing\d+\.vml|xl/drawings/_rels/vmlDrawing\d+\.vml\.rels", None),
    (r"docMetadata/.+", "server_properties"),  # sensitivity labels: tenant and site ids
    (r"(word|xl|ppt)/webextensions/.+", "custom_properties"),  # add-ins and their data
    (r"(word|xl|ppt)/revisionInfo\.xml|ppt/changesInfos/.+|xl/revisions/.+", "history"),
    (r"ppt/tags/[^/]+\.xml", "custom_properties"),
    (r"\[trash\]/.+", None),  # deleted parts Word keeps inside the package
]
_DROP_RE = [(re.compile(p), code) for p, code in _DROP]
# Parts kept: XML is scrubbed, media cleaned by the registry, a few opaque parts copied.
_XML = re.compile(
    r"\[Content_Types\]\.xml|(.*/)?_rels/[^/]*\.rels"
    r"|word/(document|styles|stylesWithEffects|settings|webSettings|fontTable|numbering"
    r"|footnotes|endnotes|header\d+|footer\d+|theme/theme\d+)\.xml"
    r"|word/glossary/[^/]+\.xml"
    r"|xl/(workbook|styles|sharedStrings|calcChain|theme/theme\d+|worksheets/sheet\d+"
    r"|chartsheets/sheet\d+|tables/table\d+|drawings/drawing\d+|pivotTables/pivotTable\d+"
    r"|pivotCache/pivotCache(Definition|Records)\d+|metadata|volatileDependencies)\.xml"
    r"|ppt/(presentation|presProps|viewProps|tableStyles|slides/slide\d+"
    r"|slideLayouts/slideLayout\d+|slideMasters/slideMaster\d+|notesSlides/notesSlide\d+"
    r"|notesMasters/notesMaster\d+|handoutMasters/handoutMaster\d+|theme/theme\d+)\.xml"
    r"|(word|xl|ppt)/charts/(chart|colors|style)\d+\.xml"
    r"|(word|xl|ppt)/diagrams/(data|layout|quickStyle|colors|drawing)\d+\.xml"
)
_LAYOUT = officezip.Layout(
    xml=_XML,
    media=re.compile(r"(word|xl|ppt)/(media|embeddings)/[^/]+"),
    opaque=re.compile(r"word/fonts/[^/]+\.odttf|ppt/fonts/[^/]+\.fntdata"),
)

_DROP_ELEMENTS = {
    "rsids": "revision_ids",
    "docId": "document_ids",
    "attachedTemplate": "paths",
    "docVars": "custom_properties",
    "mailMerge": "paths",
    "documentProtection": "document_ids",
    "writeProtection": "document_ids",
    "revisionPtr": "document_ids",
    "absPath": "paths",
    "creationId": "document_ids",
    "modId": "document_ids",
    "fileVersion": "software",
    "fileSharing": "author",
    "commentRangeStart": None,
    "commentRangeEnd": None,
    "commentReference": None,
    "legacyDrawing": None,
    "person": "people",
    "nsid": "document_ids",  # random numbering ids that link copies of a document
    "tmpl": "document_ids",
}
_ID_ATTRS = {"paraId", "textId", "uid", "uidLastSave", "documentId", "persistentDocumentId"}
_EXT_WRAPPERS = frozenset({"ext", "extLst"})
_DRAWING_PROPS = {"cNvPr", "docPr"}
# Tracked changes are accepted, as Word's "Accept all" would: insertions stay as plain text,
# deletions (whose text is still in the file) and old formatting go, with every author and date.
_REVISION = re.compile(
    r"ins|del|moveFrom|moveTo|\w+Change|cellIns|cellDel|cellMerge"
    r"|move(From|To)Range(Start|End)"
)
_UNWRAP = {"ins", "moveTo"}
_O_NS = "urn:schemas-microsoft-com:office:office"
_LOCAL_PATH = re.compile(r"^(file:|[a-zA-Z]:[\\/]|\\\\|/)")
_CORE = {
    "creator": "author",
    "lastModifiedBy": "author",
    "title": "title",
    "subject": "title",
    "description": "title",
    "keywords": "keywords",
    "category": "keywords",
    "identifier": "document_ids",
    "revision": "app_properties",
    "contentStatus": "metadata",
    "version": "metadata",
    "language": None,
}
_APP = {
    "Company": "company",
    "Manager": "company",
    "Application": "software",
    "AppVersion": "software",
    "Template": "paths",
    "TotalTime": "app_properties",
    "HyperlinkBase": "paths",
}
RESIDUAL = (Notice("document_content"),)


def inspect(data: bytes, ctx: Context) -> tuple[Finding, ...]:
    """What identifying metadata the document holds."""
    return clean(data, ctx).removed


def clean(data: bytes, ctx: Context) -> Cleaned:
    """A copy with every part either cleaned or removed; unknown parts refuse the file."""
    kind = _kind(data)
    arc = archive.read(data, ctx, kind)
    _check_content_types(arc.members, kind)
    found: list[Finding] = list(arc.findings)
    dropped: set[str] = set()
    for m in arc.members:
        if m.is_dir:
            dropped.add(m.name)
            continue
        for pattern, code in _DROP_RE:
            if pattern.fullmatch(m.name):
                dropped.add(m.name)
                _describe_dropped(m.name, m.data, code, found, kind)
                break
    parts = {m.name: m.data for m in arc.members if not m.is_dir and m.name not in dropped}
    if kind.endswith(".presentation"):
        dropped |= slides.hide(parts, kind, found)
    rewritten: dict[str, bytes] = {}
    if kind.endswith(".sheet"):
        hidden, rewritten = sheets.hide(parts, kind, found)
        dropped |= hidden
    names = {m.name for m in arc.members}
    for m in arc.members:
        source = _rels_source(m.name)
        if source is not None and source in dropped:
            dropped.add(m.name)
    rels: dict[str, bytes] = {}
    removed_ids: dict[str, set[str]] = {}
    for m in arc.members:
        if m.name.endswith(".rels") and m.name not in dropped and _XML.fullmatch(m.name):
            root = xmlparts.parse(m.data, kind)
            gone = dropped | (_resolvable(m.name, root) - names)
            removed_ids[_rels_source(m.name) or ""] = _clean_rels(m.name, root, gone, found)
            rels[m.name] = xmlparts.dump(root)

    def clean_part(name: str, data: bytes) -> bytes:
        if name in rels:
            return rels[name]
        gone = removed_ids.get(name, set())
        return _clean_xml(name, rewritten.get(name, data), dropped, gone, found, kind)

    out = officezip.rebuild(arc.members, dropped, _LAYOUT, ctx, found, clean_part)
    present = {name for name, _ in out}
    out = [
        (n, _content_types(b, present, kind) if n == "[Content_Types].xml" else b) for n, b in out
    ]
    out.sort(key=lambda e: e[0] != "[Content_Types].xml")
    return Cleaned(archive.write(out), tuple(found), RESIDUAL)


def _check_content_types(members: list[archive.Member], kind: str) -> None:
    """A package says what each part is in [Content_Types].xml; without it, it is damaged."""
    data = next((m.data for m in members if m.name == "[Content_Types].xml"), None)
    if data is None:
        raise damaged(kind)
    root = xmlparts.parse(data, kind)
    if root.tag != f"{{{CT_NS}}}Types" or any(
        isinstance(el.tag, str) and etree.QName(el).namespace != CT_NS for el in root
    ):
        raise damaged(kind)


def _content_types(data: bytes | None, present: set[str], kind: str) -> bytes:
    """Drop Override entries for parts that are not in the cleaned package."""
    root = xmlparts.parse(data or b"", kind)
    for el in list(root):
        part = (el.get("PartName") or "").lstrip("/")
        if xmlparts.local(el.tag) == "Override" and part not in present:
            xmlparts.remove(el)
    return xmlparts.dump(root)


def _kind(data: bytes) -> str:
    from sealbox.scrub.detect import detect

    return detect(data)


def _describe_dropped(name: str, data: bytes, code: str | None, found: list, kind: str) -> None:
    if code:
        found.append(Finding(code))
        return
    if name == "docProps/core.xml" or name == "docProps/app.xml":
        root = xmlparts.parse(data, kind)
        dates = 0
        for el in root:
            tag = xmlparts.local(el.tag)
            if not (el.text or "").strip() and len(el) == 0:
                continue
            if tag in ("created", "modified", "lastPrinted"):
                dates += 1
            elif name.endswith("core.xml"):
                mapped = _CORE.get(tag, "metadata")
                if mapped:
                    found.append(Finding(mapped))
            elif tag in _APP:
                found.append(Finding(_APP[tag]))
        if dates:
            found.append(Finding("dates", dates))
    elif "omment" in name:
        root = xmlparts.parse(data, kind)
        count = sum(
            1
            for el in root.iter()
            if isinstance(el.tag, str)
            and xmlparts.local(el.tag) in ("comment", "cm", "threadedComment")
        )
        if count:
            found.append(Finding("document_comments", count))
        authors = root.find(".//{*}authors")
        if authors is not None and len(authors):
            found.append(Finding("author"))


def _rels_source(name: str) -> str | None:
    """`word/_rels/document.xml.rels` -> `word/document.xml` (`_rels/.rels` -> '')."""
    head, _, tail = name.rpartition("_rels/")
    if not tail.endswith(".rels") or (head and not head.endswith("/")):
        return None
    return head + tail[: -len(".rels")]


def _clean_xml(
    name: str, data: bytes, dropped: set, removed_rids: set, found: list, kind: str
) -> bytes:
    root = xmlparts.parse(data, kind)
    if name == "[Content_Types].xml":
        for el in list(root):
            part = (el.get("PartName") or "").lstrip("/")
            if xmlparts.local(el.tag) == "Override" and part in dropped:
                xmlparts.remove(el)
        return xmlparts.dump(root)
    tracked = hidden = 0
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            officezip.drop_xml_comments(el)
            continue
        tag = xmlparts.local(el.tag)
        if tag == "r" and el.tag == f"{{{W}}}r" and _vanishes(el):
            hidden += 1  # hidden text: in the file, not on the page
            xmlparts.remove(el)
            continue
        if tag in _DROP_ELEMENTS:
            code = _DROP_ELEMENTS[tag]
            if code:
                found.append(Finding(code))
            parent = el.getparent()
            xmlparts.remove(el)
            if parent is not None:
                xmlparts.prune_empty(parent, _EXT_WRAPPERS)
            continue
        if any(v in removed_rids for k, v in el.attrib.items() if k.startswith(f"{{{R_NS}}}")):
            xmlparts.remove(el)
            continue
        for attr in list(el.attrib):
            lname = xmlparts.local(attr)
            if lname.startswith("rsid"):
                del el.attrib[attr]
                found.append(Finding("revision_ids"))
            elif lname in _ID_ATTRS:
                del el.attrib[attr]
                found.append(Finding("document_ids"))
            elif lname in ("refreshedBy", "lastEdited", "userName"):
                del el.attrib[attr]
                found.append(Finding("author"))
            elif lname == "refreshedDate" or lname == "refreshedDateIso":
                del el.attrib[attr]
                found.append(Finding("dates", 1))
            elif attr == f"{{{_O_NS}}}title":
                del el.attrib[attr]
                found.append(Finding("drawing_names"))
        if el.tag.startswith(f"{{{W}}}") and _REVISION.fullmatch(tag):
            tracked += _accept(el, tag)
            continue
        if tag in _DRAWING_PROPS:
            _clean_drawing_props(el, found)
    if tracked:
        found.append(Finding("revisions", tracked))
    if hidden:
        found.append(Finding("hidden_text", hidden))
    return xmlparts.dump(root)


def _vanishes(run: etree._Element) -> bool:
    """A run formatted as hidden text (`<w:vanish/>`, not turned off with val="0")."""
    props = run.find(f"{{{W}}}rPr")
    mark = None if props is None else props.find(f"{{{W}}}vanish")
    return mark is not None and mark.get(f"{{{W}}}val") not in ("0", "false", "off")


def _accept(el: etree._Element, tag: str) -> int:
    """Accept one tracked change; 1 when it was a change by someone (not a range marker)."""
    parent = el.getparent()
    if parent is None:
        return 0  # inside a change already removed
    counted = 0 if tag.endswith(("RangeStart", "RangeEnd")) else 1
    if tag in _UNWRAP and xmlparts.local(parent.tag) not in ("rPr", "trPr"):
        at = parent.index(el)
        for offset, child in enumerate(list(el)):
            parent.insert(at + offset, child)
    xmlparts.remove(el)
    return counted


def _clean_drawing_props(el: etree._Element, found: list) -> None:
    name = el.get("name") or ""
    if el.get("descr") or el.get("title") or re.search(r"[\\/]|\.\w{2,4}$", name):
        found.append(Finding("drawing_names"))
    for attr in ("descr", "title"):
        el.attrib.pop(attr, None)
    if "name" in el.attrib:
        el.set("name", f"Object {el.get('id', '')}".strip())


def _clean_rels(name: str, root: etree._Element, dropped: set, found: list) -> set[str]:
    """Drop relationships to removed parts, templates and local file paths."""
    base = posixpath.dirname(posixpath.dirname(name))
    removed: set[str] = set()
    for rel in list(root):
        target = rel.get("Target") or ""
        rtype = rel.get("Type") or ""
        external = rel.get("TargetMode") == "External"
        resolved = _resolve(base, target)
        if rtype.endswith("/attachedTemplate"):
            found.append(Finding("paths"))
            removed.add(rel.get("Id") or "")
            xmlparts.remove(rel)
        elif not external and resolved in dropped:
            removed.add(rel.get("Id") or "")
            xmlparts.remove(rel)
        elif external and _LOCAL_PATH.match(target):
            found.append(Finding("paths"))
            rel.set("Target", "about:blank")
    return removed


def _resolvable(name: str, root: etree._Element) -> set[str]:
    """Internal targets of a .rels part, as package paths."""
    base = posixpath.dirname(posixpath.dirname(name))
    return {
        _resolve(base, rel.get("Target") or "")
        for rel in root
        if rel.get("TargetMode") != "External"
    }


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base, target))
