"""Collecting the messages to translate from the code, and merging them into the catalogues.

Used by `scripts/i18n-update` (which writes the files) and by the tests (which check that the
committed catalogues hold every message the code can show).
"""

from __future__ import annotations

import ast
import io
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from sealbox.locale import DOMAIN, LANGUAGES

PACKAGE = Path(__file__).resolve().parents[1]
ROOT = PACKAGE.parent
LOCALE_DIR = Path(__file__).resolve().parent
POT = LOCALE_DIR / f"{DOMAIN}.pot"
ERROR_BASE = "SealboxError"


@cache
def error_classes() -> frozenset[str]:
    """Names of every class in the package that derives, directly or not, from SealboxError."""
    bases: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ClassDef):
                names = {
                    b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
                }
                bases.setdefault(node.name, set()).update(names)
    found = {ERROR_BASE}
    grew = True
    while grew:
        grew = False
        for name, parents in bases.items():
            if name not in found and parents & found:
                found.add(name)
                grew = True
    return frozenset(found)


def _domain_error_messages(source: str) -> Iterator[tuple[int, None, str, list[str]]]:
    """The literal messages domain errors are made with: `NotFound("...")`, or a module constant.

    The web layer translates an error's message by looking it up in the catalogue, then fills
    in its values (`TooLarge("... (%(mib)s MB) ...", mib=n)`), so these English sentences are
    the message ids. A message built with the values already in it (an f-string) could not be
    looked up and would stay in English; tests/i18n/test_error_messages.py refuses one."""
    tree = ast.parse(source)
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    classes = error_classes()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        callee = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if callee not in classes:
            continue
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            yield node.lineno, None, first.value, []
        elif isinstance(first, ast.Name) and first.id in constants:
            yield node.lineno, None, constants[first.id], []


def python_messages(fileobj, keywords, comment_tags, options):
    """Babel extractor: gettext calls as usual, plus the messages of domain errors."""
    source = fileobj.read()
    fileobj.seek(0)
    yield from extract_python(fileobj, keywords, comment_tags, options)
    text = source.decode(options.get("encoding", "utf-8")) if isinstance(source, bytes) else source
    yield from _domain_error_messages(text)


def extract() -> Catalog:
    """Every message the code and templates can show, as a template catalogue (.pot)."""
    with open(ROOT / "babel.cfg") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    catalog = Catalog(project="Sealbox", msgid_bugs_address="", fuzzy=False)
    found = extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)},
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_file(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(code: str) -> Catalog:
    with open(po_file(code), "rb") as handle:
        return read_po(handle, locale=code)


def update() -> dict[str, int]:
    """Rewrite the .pot and merge it into every .po; returns untranslated counts by language."""
    template = extract()
    _write(POT, template)
    untranslated = {}
    for language in LANGUAGES:
        path = po_file(language.code)
        if path.exists():
            catalog = read(language.code)
        else:
            catalog = Catalog(locale=language.code, project="Sealbox", fuzzy=False)
        # No fuzzy matching: a guessed translation would show a wrong sentence silently.
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.obsolete.clear()
        _describe(catalog, Locale.parse(language.code).english_name)
        _write(path, catalog)
        if language.code != "en":
            untranslated[language.code] = sum(1 for m in catalog if m.id and not m.string)
    return untranslated


def _describe(catalog: Catalog, name: str) -> None:
    catalog.header_comment = (
        f"# Sealbox in {name}.\n"
        "# A careful first version: corrections are welcome, see DEVELOPERS.md (Languages).\n"
        "# This file is distributed under the same license as Sealbox (AGPL-3.0-or-later)."
    )
    catalog.project, catalog.version = "Sealbox", "1"
    catalog.msgid_bugs_address = ""
    catalog.last_translator = "Sealbox contributors"
    catalog.language_team = f"{name} <DEVELOPERS.md>"


def _write(path: Path, catalog: Catalog) -> None:
    """Write `catalog`, unless only its timestamps would change (keeps diffs to real changes)."""
    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=False, include_previous=False)
    if path.exists() and _without_dates(path.read_bytes()) == _without_dates(out.getvalue()):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


def _without_dates(po: bytes) -> bytes:
    return re.sub(rb'^"(POT-Creation|PO-Revision)-Date: .*$', b"", po, flags=re.MULTILINE)
