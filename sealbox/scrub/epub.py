"""EPUB: the book's text, pictures and styles stay; who made it, when and with what go.

The package document (`*.opf`) keeps a fresh random identifier and an empty title and language
and nothing else of its metadata (creator, contributors, publisher, dates, rights, sources,
tool names); the table of contents (`*.ncx`) loses its head and author; every page loses its
comments, meta tags and title; style sheets lose their comments; pictures are cleaned by the
same registry; fonts are copied. Signatures, rights and reader bookmarks go. A book whose
content is encrypted, or that holds a part none of these fit, is not cleaned.
"""

from __future__ import annotations

import posixpath
import re
import uuid

from lxml import etree

from sealbox.scrub import archive, officezip, xmlparts
from sealbox.scrub.cleaner import Cleaned, Context
from sealbox.scrub.errors import CannotClean, damaged
from sealbox.scrub.model import Finding, Notice
from sealbox.scrub.text import strip_css_comments

KIND = "application/epub+zip"
OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
_FONT_OBFUSCATION = {
    "http://www.idpf.org/2008/embedding",
    "http://ns.adobe.com/pdf/enc#RC",
}
_DROP = re.compile(
    r"META-INF/(signatures|metadata|manifest)\.xml|iTunesMetadata(-backup)?\.plist"
    r"|calibre_bookmarks\.txt|META-INF/calibre_bookmarks\.txt"
)
_PAGES = re.compile(r".+\.(xhtml|html|htm|xml|opf|ncx|css|smil)", re.I)
_LAYOUT = officezip.Layout(
    xml=_PAGES,
    media=re.compile(r".+\.(jpe?g|png|gif|webp|svg|tiff?|mp3|m4a|mp4|ogg|opus|wav)", re.I),
    opaque=re.compile(r".+\.(ttf|otf|woff2?)", re.I),
)
_WRITTEN_HERE = frozenset({"mimetype", "META-INF/encryption.xml"})
RESIDUAL = (Notice("document_content"),)


def inspect(data: bytes, ctx: Context) -> tuple[Finding, ...]:
    """What the book holds beside its content."""
    return clean(data, ctx).removed


def clean(data: bytes, ctx: Context) -> Cleaned:
    """A copy with only the content, cleaned pictures and anonymous package metadata."""
    arc = archive.read(data, ctx, KIND)
    if not arc.members or arc.members[0].name != "mimetype":
        raise damaged(KIND)
    found: list[Finding] = list(arc.findings)
    dropped = {m.name for m in arc.members if m.is_dir or _DROP.fullmatch(m.name)}
    if dropped - {m.name for m in arc.members if m.is_dir}:
        found.append(Finding("metadata"))
    names = {m.name for m in arc.members}
    if "META-INF/rights.xml" in names:
        raise CannotClean("encrypted")
    encryption = next((m.data for m in arc.members if m.name == "META-INF/encryption.xml"), None)
    if encryption is not None:
        _only_obfuscated_fonts(encryption)
    identifier = f"urn:uuid:{uuid.uuid4()}"
    out = officezip.rebuild(
        arc.members,
        dropped | _WRITTEN_HERE,
        _LAYOUT,
        ctx,
        found,
        lambda name, body: _clean_part(name, body, identifier, found),
    )
    out[:0] = [("mimetype", arc.members[0].data)]
    if encryption is not None:
        out.append(("META-INF/encryption.xml", encryption))
    return Cleaned(archive.write(out, stored=frozenset({"mimetype"})), tuple(found), RESIDUAL)


def _only_obfuscated_fonts(data: bytes) -> None:
    """Font obfuscation is no secret (its key is the book's identifier); anything else is."""
    root = xmlparts.parse(data, KIND)
    for method in root.iter("{*}EncryptionMethod"):
        if method.get("Algorithm") not in _FONT_OBFUSCATION:
            raise CannotClean("encrypted")
    for ref in root.iter("{*}CipherReference"):
        uri = ref.get("URI") or ""
        if not re.fullmatch(r".+\.(ttf|otf|woff2?)", uri, re.I):
            raise CannotClean("encrypted")


def _clean_part(name: str, data: bytes, identifier: str, found: list[Finding]) -> bytes:
    ext = posixpath.splitext(name)[1].lower()
    if ext == ".css":
        try:
            text, count = strip_css_comments(data.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise damaged(KIND) from exc
        if count:
            found.append(Finding("comments", count))
        return text.encode("utf-8")
    root = xmlparts.parse(data, KIND)
    _drop_comments(root, found)
    if ext == ".opf":
        _package(root, identifier, found)
    elif ext == ".ncx":
        _toc(root, found)
    elif ext in (".xhtml", ".html", ".htm"):
        _page(root, found)
    return xmlparts.dump(root)


def _drop_comments(root: etree._Element, found: list[Finding]) -> None:
    count = 0
    for el in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        if isinstance(el, etree._ProcessingInstruction) and el.target == "xml-stylesheet":
            continue
        count += 1
        xmlparts.remove(el)
    if count:
        found.append(Finding("html_comments", count))


def _package(root: etree._Element, identifier: str, found: list[Finding]) -> None:
    metadata = root.find(f"{{{OPF}}}metadata")
    if metadata is None:
        raise damaged(KIND)
    unique = root.get("unique-identifier") or "id"
    if len(metadata):
        found.append(Finding("author"))
        found.append(Finding("document_ids"))
    for child in list(metadata):
        metadata.remove(child)
    metadata.text = None
    for tag, value, attrs in (
        ("identifier", identifier, {"id": unique}),
        ("title", "", {}),
        ("language", "", {}),
    ):
        el = etree.SubElement(metadata, f"{{{DC}}}{tag}", attrs)
        el.text = value or None


def _toc(root: etree._Element, found: list[Finding]) -> None:
    head = root.find("{*}head")
    if head is not None and len(head):
        found.append(Finding("software"))  # the generator, and the old identifier
        for child in list(head):
            head.remove(child)
    for el in list(root.iter("{*}docAuthor")):
        found.append(Finding("author"))
        xmlparts.remove(el)
    for el in root.iter("{*}docTitle"):
        for text in el.iter("{*}text"):
            text.text = None


def _page(root: etree._Element, found: list[Finding]) -> None:
    metas = 0
    for el in list(root.iter("{*}meta")):
        if set(el.attrib) <= {"charset"} or (el.get("http-equiv") or "").lower() == "content-type":
            continue
        if (el.get("name") or "").lower() == "viewport":
            continue  # fixed-layout books need it; it names nobody
        metas += 1
        xmlparts.remove(el)
    for el in list(root.iter("{*}link")):
        if (el.get("rel") or "").lower() in ("author", "generator", "schema.dc", "schema.dcterms"):
            metas += 1
            xmlparts.remove(el)
    if metas:
        found.append(Finding("html_meta", metas))
    for title in root.iter("{*}title"):
        if title.text or len(title):
            found.append(Finding("html_title"))
        for child in list(title):
            title.remove(child)
        title.text = ""  # written <title></title>: an empty <title/> reads as a tag to some
