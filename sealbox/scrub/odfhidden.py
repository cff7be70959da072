"""OpenDocument content a reader does not see, removed as Office's Document Inspector would:
speaker notes, hidden slides, hidden sheets, rows and columns, hidden text and sections, and
tracked changes (accepted: the deleted text they still hold goes with their authors and
dates)."""

from __future__ import annotations

from lxml import etree

from sealbox.scrub import xmlparts
from sealbox.scrub.model import Finding

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
PRES = "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_MAX_REPEAT = 1 << 20  # rows and columns a sheet can have at most


def remove(root: etree._Element, found: list[Finding]) -> None:
    """Remove every kind of hidden content from one content.xml or styles.xml tree."""
    revisions = notes = slides = sheets = lines = hidden = 0
    for changes in list(root.iter(f"{{{TEXT}}}tracked-changes", f"{{{TABLE}}}tracked-changes")):
        revisions += max(1, len(changes))
        xmlparts.remove(changes)
    for tag in ("change", "change-start", "change-end"):
        for marker in list(root.iter(f"{{{TEXT}}}{tag}")):
            xmlparts.remove(marker)
    for field in list(root.iter(f"{{{TEXT}}}hidden-text", f"{{{TEXT}}}hidden-paragraph")):
        hidden += 1  # text shown only when a condition holds; the file carries it always
        xmlparts.remove(field)
    for section in list(root.iter(f"{{{TEXT}}}section")):
        if section.get(f"{{{TEXT}}}display") in ("none", "condition"):
            hidden += 1
            xmlparts.remove(section)
    for note in list(root.iter(f"{{{PRES}}}notes")):
        if any((p.text or "").strip() or len(p) for p in note.iter(f"{{{TEXT}}}p")):
            notes += 1
        xmlparts.remove(note)
    for page in list(root.iter(f"{{{DRAW}}}page")):
        if page.get(f"{{{PRES}}}visibility") == "hidden":
            slides += 1
            xmlparts.remove(page)
    hidden_styles = _hidden_table_styles(root)
    for table in list(root.iter(f"{{{TABLE}}}table")):
        if table.get(f"{{{TABLE}}}style-name") in hidden_styles:
            sheets += 1
            xmlparts.remove(table)
            continue
        lines += _cut_rows_and_columns(table)
    for code, count in (
        ("revisions", revisions),
        ("speaker_notes", notes),
        ("hidden_slides", slides),
        ("hidden_sheets", sheets),
        ("hidden_rows", lines),
        ("hidden_text", hidden),
    ):
        if count:
            found.append(Finding(code, count))


def _hidden_table_styles(root: etree._Element) -> set[str]:
    names = set()
    for style in root.iter(f"{{{STYLE}}}style"):
        if style.get(f"{{{STYLE}}}family") != "table":
            continue
        for props in style.iter(f"{{{STYLE}}}table-properties"):
            if props.get(f"{{{TABLE}}}display") == "false":
                names.add(style.get(f"{{{STYLE}}}name") or "")
    return names


def _repeat(el: etree._Element, attr: str) -> int:
    try:
        return min(max(1, int(el.get(f"{{{TABLE}}}{attr}") or 1)), _MAX_REPEAT)
    except ValueError:
        return 1


def _cut_rows_and_columns(table: etree._Element) -> int:
    """Remove hidden rows, and the cells of hidden columns; how many rows and columns went."""
    removed = 0
    for row in list(table.iter(f"{{{TABLE}}}table-row")):
        if row.get(f"{{{TABLE}}}visibility") in ("collapse", "filter"):
            removed += _repeat(row, "number-rows-repeated")
            xmlparts.remove(row)
    hidden: list[tuple[int, int]] = []  # [start, end) column spans
    at = 0
    for col in list(table.iter(f"{{{TABLE}}}table-column")):
        count = _repeat(col, "number-columns-repeated")
        if col.get(f"{{{TABLE}}}visibility") == "collapse":
            hidden.append((at, at + count))
            removed += count
            xmlparts.remove(col)
        at += count
    if hidden:
        for row in table.iter(f"{{{TABLE}}}table-row"):
            _cut_cells(row, hidden)
    return removed


def _cut_cells(row: etree._Element, hidden: list[tuple[int, int]]) -> None:
    at = 0
    for cell in list(row):
        if xmlparts.local(cell.tag) not in ("table-cell", "covered-table-cell"):
            continue
        count = _repeat(cell, "number-columns-repeated")
        overlap = sum(max(0, min(end, at + count) - max(start, at)) for start, end in hidden)
        at += count
        if overlap >= count:
            xmlparts.remove(cell)
        elif overlap:
            cell.set(f"{{{TABLE}}}number-columns-repeated", str(count - overlap))
