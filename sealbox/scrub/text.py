"""Plain text, CSV and Markdown pass through; HTML loses its meta tags, comments and title."""

from __future__ import annotations

from lxml import etree, html

from sealbox.scrub.cleaner import Cleaned, Context
from sealbox.scrub.errors import damaged
from sealbox.scrub.model import Finding, Notice

RESIDUAL = (Notice("text_content"),)


def inspect(data: bytes, ctx: Context) -> tuple[Finding, ...]:
    """Plain text has nothing hidden; HTML may have meta tags, comments and a title."""
    return clean(data, ctx).removed


def clean(data: bytes, ctx: Context) -> Cleaned:
    """The same bytes for plain text; a re-serialised page for HTML."""
    from sealbox.scrub.detect import detect

    if detect(data) != "text/html":
        return Cleaned(data, (), RESIDUAL)
    return _clean_html(data)


def _clean_html(data: bytes) -> Cleaned:
    parser = html.HTMLParser(encoding="utf-8", remove_comments=False, no_network=True)
    try:
        doc = html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise damaged("text/html") from exc
    found: list[Finding] = []
    metas = [
        el
        for el in doc.xpath("//meta | //link[@rel='author' or @rel='generator']")
        if set(el.attrib) != {"charset"}
    ]
    comments = doc.xpath("//comment()")
    titles = doc.xpath("//title")
    for el in [*metas, *comments, *titles]:
        parent = el.getparent()
        if parent is not None:
            el.drop_tree()
    if metas:
        found.append(Finding("html_meta", len(metas)))
    if comments:
        found.append(Finding("html_comments", len(comments)))
    if titles:
        found.append(Finding("html_title"))
    out = html.tostring(doc, doctype="<!DOCTYPE html>", encoding="utf-8", method="html")
    if b"<meta" not in out[:1024]:
        out = (
            out.replace(b"<head>", b'<head><meta charset="utf-8">', 1) if b"<head>" in out else out
        )
    return Cleaned(out, tuple(found), RESIDUAL)
