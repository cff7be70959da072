"""Plain text, CSV and Markdown pass through; HTML loses its meta tags, comments and title;
CSS loses its comments (where style sheets name their authors and versions)."""

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

    kind = detect(data)
    if kind == "text/css":
        text, count = strip_css_comments(data.decode("utf-8"))
        found = (Finding("comments", count),) if count else ()
        return Cleaned(text.encode("utf-8"), found, RESIDUAL)
    if kind != "text/html":
        return Cleaned(data, (), RESIDUAL)
    return _clean_html(data)


def strip_css_comments(text: str) -> tuple[str, int]:
    """The style sheet without its `/* ... */` comments (strings left alone), and how many."""
    out: list[str] = []
    count, at, quote = 0, 0, ""
    start = 0
    while at < len(text):
        ch = text[at]
        if quote:
            if ch == "\\":
                at += 2
                continue
            if ch == quote or ch == "\n":
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif text.startswith("/*", at):
            end = text.find("*/", at + 2)
            out.append(text[start:at])
            count += 1
            at = len(text) if end < 0 else end + 2
            start = at
            continue
        at += 1
    out.append(text[start:])
    return "".join(out), count


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
    charsets = [el for el in doc.xpath("//meta") if set(el.attrib) == {"charset"}]
    comments = doc.xpath("//comment()")
    titles = doc.xpath("//title")
    for el in [*metas, *charsets, *comments, *titles]:
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
    # The encoding is said by a byte-order mark, which every browser honours first: the page
    # keeps no <meta> at all.
    return Cleaned(b"\xef\xbb\xbf" + out, tuple(found), RESIDUAL)
