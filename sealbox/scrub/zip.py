"""ZIP archives: every member cleaned by the same registry, recursively, within limits.

Entry dates, comments, permissions and extra fields are normalised; member names are made
safe (no absolute paths, no `..`, no control characters). One member that cannot be cleaned
makes the whole archive uncleanable: a half-cleaned archive would be a false promise.
"""

from __future__ import annotations

import posixpath
import unicodedata

from sealbox.scrub import archive
from sealbox.scrub.cleaner import Cleaned, Context
from sealbox.scrub.errors import CannotClean
from sealbox.scrub.filenames import sanitise_filename
from sealbox.scrub.model import Finding, Notice, Outcome

KIND = "application/zip"
RESIDUAL = (Notice("archive_names"),)


def safe_member_name(name: str) -> str:
    """A relative path with no `..`, no drive or root, no control characters."""
    parts = []
    for part in name.replace("\\", "/").split("/"):
        part = "".join(
            ch for ch in part if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
        ).strip()
        if part in ("", ".", "..") or (len(part) == 2 and part[1] == ":"):
            continue
        parts.append(part)
    return posixpath.join(*parts) if parts else "file"


def inspect(data: bytes, ctx: Context) -> tuple[Finding, ...]:
    """What the archive and its members hold."""
    return clean(data, ctx).removed


def clean(data: bytes, ctx: Context) -> Cleaned:
    """A rebuilt archive of cleaned members."""
    arc = archive.read(data, ctx, KIND)
    found = list(arc.findings)
    out: list[tuple[str, bytes | None]] = []
    used: set[str] = set()
    renamed = 0
    residual: list[Notice] = list(RESIDUAL)
    for m in arc.members:
        name = safe_member_name(m.name)
        if name != m.name.rstrip("/"):
            renamed += 1
        while name in used:
            name = f"_{name}"
        used.add(name)
        if m.is_dir:
            out.append((name + "/", None))
            continue
        result = ctx.clean_member(m.data)
        if result.outcome is Outcome.CANNOT_CLEAN or result.data is None:
            reason = result.reason
            if reason is not None and reason.code in (
                "too_deep",
                "bomb",
                "overlapping",
                "too_many",
            ):
                raise CannotClean(reason.code)
            code = reason.code if reason else "failed"
            raise CannotClean("member", f"{sanitise_filename(m.name)}: {code}")
        if result.removed:
            found.append(Finding("embedded_media", 1))
            found.extend(result.removed)
        residual.extend(result.residual)
        out.append((name, result.data))
    if renamed:
        found.append(Finding("unsafe_names", renamed))
    return Cleaned(archive.write(out), tuple(found), tuple(residual))
