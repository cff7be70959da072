"""Parsing and writing the XML inside office documents safely (no entities, no network)."""

from __future__ import annotations

from lxml import etree

from sealbox.scrub.errors import CannotClean

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_pis=False
)


def parse(data: bytes, kind: str) -> etree._Element:
    """The root element; raises CannotClean for anything that is not plain, well-formed XML."""
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
        raise CannotClean("damaged", kind)
    try:
        return etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise CannotClean("damaged", kind) from exc


def dump(root: etree._Element) -> bytes:
    """The XML with a standalone declaration, as office suites write it."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def local(name: str) -> str:
    """`{namespace}tag` -> `tag`."""
    return name.rsplit("}", 1)[-1]


def remove(el: etree._Element) -> None:
    """Remove an element but keep the text that followed it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def prune_empty(el: etree._Element, names: frozenset[str]) -> None:
    """Walk up from `el` removing ancestors (by local name) that are left empty."""
    while el is not None and local(el.tag) in names and len(el) == 0:
        parent = el.getparent()
        remove(el)
        el = parent
