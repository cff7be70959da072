"""The archive pass shared by Office Open XML and OpenDocument: every part is sorted into
dropped, cleaned XML, cleaned media or kept as it is, and a part that fits none of these makes
the whole document uncleanable (it could hold anything).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from sealbox.scrub import archive, xmlparts
from sealbox.scrub.cleaner import Context
from sealbox.scrub.errors import CannotClean
from sealbox.scrub.filenames import sanitise_filename
from sealbox.scrub.model import Finding, Outcome

Entries = list[tuple[str, bytes | None]]


@dataclass(frozen=True)
class Layout:
    """Which parts of one document family are cleaned as XML, as media, or kept as they are."""

    xml: re.Pattern[str]
    media: re.Pattern[str]
    opaque: re.Pattern[str] | None = None


def rebuild(
    members: list[archive.Member],
    dropped: set[str],
    layout: Layout,
    ctx: Context,
    found: list[Finding],
    clean_xml: Callable[[str, bytes], bytes],
) -> Entries:
    """The parts that stay, each cleaned; raises CannotClean for a part the layout does not know."""
    out: Entries = []
    for m in members:
        if m.name in dropped or m.is_dir:
            continue
        if layout.xml.fullmatch(m.name):
            out.append((m.name, clean_xml(m.name, m.data)))
        elif layout.media.fullmatch(m.name):
            out.append((m.name, clean_media(m.name, m.data, ctx, found)))
        elif layout.opaque is not None and layout.opaque.fullmatch(m.name):
            out.append((m.name, m.data))
        else:
            raise CannotClean("unknown_parts", sanitise_filename(m.name))
    return out


def clean_media(name: str, data: bytes, ctx: Context, found: list[Finding]) -> bytes:
    """A picture or other embedded file, cleaned by the same registry (or the document fails)."""
    result = ctx.clean_member(data)
    if result.outcome is Outcome.CANNOT_CLEAN or result.data is None:
        code = result.reason.code if result.reason else "failed"
        raise CannotClean("member", f"{sanitise_filename(posixpath.basename(name))}: {code}")
    if result.removed:
        found.append(Finding("embedded_media", 1))
        found.extend(result.removed)
    return result.data


def drop_xml_comments(el: etree._Element) -> bool:
    """Remove `el` if it is an XML comment (`<!-- -->`); True when it was one."""
    if isinstance(el, etree._Comment):
        xmlparts.remove(el)
        return True
    return False
