"""Workbooks (xlsx): hidden sheets, rows and columns go, with the shared strings only they used.

Office's Document Inspector lists hidden rows, columns and worksheets as content a reader does
not see but a copy still carries. Here they are removed before the parts are cleaned: a hidden
sheet's part is dropped (its relationship and entry go with it), hidden rows and the cells of
hidden columns are cut from each visible sheet, and the shared string table keeps only the
strings a remaining cell uses, so no removed cell's text survives in it.
"""

from __future__ import annotations

import posixpath
import re

from lxml import etree

from sealbox.scrub import xmlparts
from sealbox.scrub.model import Finding

WORKBOOK = "xl/workbook.xml"
STRINGS = "xl/sharedStrings.xml"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SHEET = re.compile(r"xl/worksheets/sheet\d+\.xml")
_CELL = re.compile(r"([A-Z]+)(\d+)")


def hide(parts: dict[str, bytes], kind: str, found: list[Finding]) -> tuple[set, dict]:
    """(parts to drop, parts rewritten) so that nothing hidden in the workbook remains."""
    if WORKBOOK not in parts:
        return set(), {}
    hidden = _hidden_sheets(parts, kind, found)
    dropped = set(hidden)
    rewritten: dict[str, bytes] = {}
    if dropped:
        rewritten[WORKBOOK] = _forget_sheets(parts[WORKBOOK], set(hidden.values()), kind)
        dropped.add("xl/calcChain.xml")  # names cells by sheet; Excel rebuilds it
    rows = 0
    used: set[int] = set()
    sheets = sorted(n for n in parts if _SHEET.fullmatch(n) and n not in dropped)
    roots = {}
    for name in sheets:
        root = xmlparts.parse(parts[name], kind)
        rows += _cut_hidden(root)
        roots[name] = root
        used |= _string_refs(root)
    if rows:
        found.append(Finding("hidden_rows", rows))
    if STRINGS in parts and (rows or dropped):
        mapping, rewritten[STRINGS] = _keep_strings(parts[STRINGS], used, kind)
        for root in roots.values():
            _renumber(root, mapping)
        rewritten.update({name: xmlparts.dump(root) for name, root in roots.items()})
    elif rows:
        rewritten.update({name: xmlparts.dump(root) for name, root in roots.items()})
    return dropped, rewritten


def _hidden_sheets(parts: dict[str, bytes], kind: str, found: list[Finding]) -> dict[str, str]:
    """Part name -> sheet name of every hidden sheet."""
    root = xmlparts.parse(parts[WORKBOOK], kind)
    targets = _targets(parts.get("xl/_rels/workbook.xml.rels"), kind)
    hidden = {}
    for sheet in root.iter("{*}sheet"):
        if sheet.get("state") in ("hidden", "veryHidden"):
            target = targets.get(sheet.get(f"{{{R_NS}}}id") or "")
            if target:
                hidden[target] = sheet.get("name") or ""
    if hidden:
        found.append(Finding("hidden_sheets", len(hidden)))
    return hidden


def _targets(rels: bytes | None, kind: str) -> dict[str, str]:
    """Relationship id -> part name, for the workbook's relationships."""
    if rels is None:
        return {}
    out = {}
    for rel in xmlparts.parse(rels, kind):
        target = rel.get("Target") or ""
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        out[rel.get("Id") or ""] = posixpath.normpath(path)
    return out


def _forget_sheets(data: bytes, names: set[str], kind: str) -> bytes:
    """The workbook without names scoped to or pointing into the hidden sheets, or tab choice.

    (The sheets' own entries go with their relationships when the parts are cleaned.)"""
    root = xmlparts.parse(data, kind)
    for name in list(root.iter("{*}definedName")):
        # Names scoped to a sheet are numbered by sheet position, which just changed.
        formula = name.text or ""
        if name.get("localSheetId") is not None or any(n and n in formula for n in names):
            xmlparts.remove(name)
    for view in root.iter("{*}workbookView"):
        for attr in ("activeTab", "firstSheet"):
            view.attrib.pop(attr, None)
    return xmlparts.dump(root)


def _column(ref: str) -> int:
    match = _CELL.match(ref)
    if not match:
        return 0
    n = 0
    for ch in match.group(1):
        n = n * 26 + ord(ch) - 64
    return n


def _cut_hidden(root: etree._Element) -> int:
    """Remove hidden rows, and the cells of hidden columns; how many rows and columns went."""
    hidden_cols: set[int] = set()
    for col in list(root.iter("{*}col")):
        if col.get("hidden") in ("1", "true"):
            lo, hi = int(col.get("min") or 0), int(col.get("max") or 0)
            if hi - lo > 16384:
                hi = lo + 16384
            hidden_cols.update(range(lo, hi + 1))
            xmlparts.remove(col)
    rows = 0
    for row in list(root.iter("{*}row")):
        if row.get("hidden") in ("1", "true"):
            xmlparts.remove(row)
            rows += 1
            continue
        if hidden_cols:
            for cell in list(row):
                if _column(cell.get("r") or "") in hidden_cols:
                    xmlparts.remove(cell)
    return rows + len(hidden_cols)


def _string_refs(root: etree._Element) -> set[int]:
    refs = set()
    for cell in root.iter("{*}c"):
        if cell.get("t") == "s":
            value = cell.find("{*}v")
            if value is not None and (value.text or "").strip().isdigit():
                refs.add(int(value.text))
    return refs


def _keep_strings(data: bytes, used: set[int], kind: str) -> tuple[dict[int, int], bytes]:
    root = xmlparts.parse(data, kind)
    mapping: dict[int, int] = {}
    for index, item in enumerate(list(root.iter("{*}si"))):
        if index in used:
            mapping[index] = len(mapping)
        else:
            xmlparts.remove(item)
    root.set("uniqueCount", str(len(mapping)))
    root.attrib.pop("count", None)
    return mapping, xmlparts.dump(root)


def _renumber(root: etree._Element, mapping: dict[int, int]) -> None:
    for cell in root.iter("{*}c"):
        if cell.get("t") == "s":
            value = cell.find("{*}v")
            if value is not None and (value.text or "").strip().isdigit():
                value.text = str(mapping.get(int(value.text), 0))
