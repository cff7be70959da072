"""SVG: the drawing stays; its metadata, editor state and anything that reaches outside go.

Removed: `<metadata>` (RDF: creator, rights, dates), `<title>` and `<desc>`, comments and
processing instructions, every element and attribute of the editors' own namespaces (Inkscape's
and Sodipodi's hold the file's name, export paths and window geometry; Illustrator's and
Sketch's likewise), scripts and event handlers, and references to anything outside the file
(a local path names the author's computer; a picture or style at a web address is fetched
when the drawing is opened; a link to click is kept). Embedded pictures (`data:` addresses)
are cleaned by the same registry.
"""

from __future__ import annotations

import base64
import binascii
import re

from lxml import etree

from sealbox.scrub import xmlparts
from sealbox.scrub.cleaner import Cleaned, Context
from sealbox.scrub.errors import CannotClean, damaged
from sealbox.scrub.model import Finding, Notice, Outcome

KIND = "image/svg+xml"
XLINK = "http://www.w3.org/1999/xlink"
_EDITORS = (
    "inkscape.org",
    "sodipodi",
    "ns.adobe.com",
    "bohemiancoding.com",  # Sketch
    "purl.org/dc",
    "creativecommons.org",
    "w3.org/1999/02/22-rdf-syntax-ns",
)
_DROP = {"metadata": "metadata", "title": "title", "desc": "title", "script": "javascript"}
_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*>", re.I)
_LOCAL = re.compile(r"(file:|[a-zA-Z]:[\\/]|\\\\|/|\.\./|~)", re.I)
_DATA_URI = re.compile(r"data:([\w/+.-]*)(;[\w=.-]+)*;base64,(.*)", re.S)
RESIDUAL = (Notice("image_content"),)


def _editor(namespace: str | None) -> bool:
    return bool(namespace) and any(mark in namespace for mark in _EDITORS)


def _parse(data: bytes) -> etree._Element:
    # A document type without an internal subset (no entities) says nothing and is dropped;
    # one with entities is refused by the parser, like every other XML here.
    head, rest = data[:4096], data[4096:]
    root = xmlparts.parse(_DOCTYPE.sub(b"", head, count=1) + rest, KIND)
    if xmlparts.local(root.tag) != "svg":
        raise damaged(KIND)
    return root


def _clean_tree(root: etree._Element, ctx: Context, found: list[Finding]) -> None:
    notes = 0
    for el in list(root.iter()):
        if el.getparent() is None and el is not root:
            continue  # inside something removed already
        if not isinstance(el.tag, str):
            if isinstance(el, etree._Comment | etree._ProcessingInstruction):
                notes += 1
                xmlparts.remove(el)
            continue
        name = etree.QName(el)
        if _editor(name.namespace) or name.localname in _DROP:
            found.append(Finding(_DROP.get(name.localname, "software")))
            xmlparts.remove(el)
            continue
        for attr in list(el.attrib):
            qname = etree.QName(attr)
            value = el.get(attr) or ""
            if _editor(qname.namespace):
                found.append(Finding("software"))
                del el.attrib[attr]
            elif qname.localname.lower().startswith("on"):
                found.append(Finding("javascript"))
                del el.attrib[attr]
            elif qname.localname == "href":
                _href(el, attr, value, ctx, found)
    if notes:
        found.append(Finding("text_notes", notes))
    etree.cleanup_namespaces(root)


def _href(el: etree._Element, attr: str, value: str, ctx: Context, found: list) -> None:
    value = value.strip()
    if value.startswith("#"):
        return
    match = _DATA_URI.fullmatch(value)
    if match is None:
        if _LOCAL.match(value):
            found.append(Finding("paths"))  # names a folder on the author's computer
            del el.attrib[attr]
        elif xmlparts.local(el.tag) != "a":  # a link is followed only if someone clicks it
            found.append(Finding("external_references"))
            del el.attrib[attr]
        return
    try:
        raw = base64.b64decode(match.group(3), validate=False)
    except (binascii.Error, ValueError) as exc:
        raise damaged(KIND) from exc
    result = ctx.clean_member(raw)
    if result.outcome is Outcome.CANNOT_CLEAN or result.data is None:
        code = result.reason.code if result.reason else "failed"
        raise CannotClean("member", f"embedded picture: {code}")
    if result.removed:
        found.append(Finding("embedded_media", 1))
        found.extend(result.removed)
    mime = match.group(1) or result.kind
    el.set(attr, f"data:{mime};base64,{base64.b64encode(result.data).decode()}")


def inspect(data: bytes, ctx: Context) -> tuple[Finding, ...]:
    """What the drawing holds beside its shapes."""
    return clean(data, ctx).removed


def clean(data: bytes, ctx: Context) -> Cleaned:
    """The drawing without metadata, editor state, scripts or outside references."""
    root = _parse(data)
    found: list[Finding] = []
    _clean_tree(root, ctx, found)
    return Cleaned(xmlparts.dump(root), tuple(found), RESIDUAL)
